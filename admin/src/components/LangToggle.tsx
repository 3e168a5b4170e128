import { GlobalOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useI18n } from '../i18n';

/** Korean ⇄ English; the choice is remembered. */
export function LangToggle() {
  const { lang, setLang, t } = useI18n();
  return (
    <Button data-testid="lang-toggle" data-lang={lang} size="small" icon={<GlobalOutlined />} onClick={() => setLang(lang === 'ko' ? 'en' : 'ko')}>
      {t('lang.switchTo')}
    </Button>
  );
}
