/**
 * The one modal every change goes through: it asks why (3 to 500 characters, kept in the audit log), runs
 * the change, says so on success and shows the problem's detail on failure (the modal stays open).
 */
import { App, Button, Form, Input, Modal, Typography } from 'antd';
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { useI18n } from '../i18n';
import { ErrorBanner } from './ErrorBanner';

export const REASON_MIN = 3;
export const REASON_MAX = 500;

export interface ReasonModalProps<R = unknown> {
  readonly open: boolean;
  readonly title: ReactNode;
  /** What is about to happen, above the fields. */
  readonly description?: ReactNode;
  /** More fields the change needs (they come before the reason). */
  readonly children?: ReactNode;
  /** Whether those fields are filled in well enough to submit. */
  readonly ready?: boolean;
  readonly submitLabel?: string;
  readonly danger?: boolean;
  /** The message shown on success; none when `onDone` says something itself. */
  readonly successMessage?: string | null;
  readonly onSubmit: (reason: string) => Promise<R>;
  readonly onDone?: (result: R) => void;
  readonly onClose: () => void;
}

export function ReasonModal<R>({ open, title, description, children, ready = true, submitLabel, danger, successMessage, onSubmit, onDone, onClose }: ReasonModalProps<R>) {
  const { t } = useI18n();
  const { message } = App.useApp();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [pending, setPending] = useState(false);

  useEffect(() => {
    if (open) {
      setReason('');
      setError(null);
      setPending(false);
    }
  }, [open]);

  const trimmed = reason.trim();
  const reasonOk = trimmed.length >= REASON_MIN && trimmed.length <= REASON_MAX;
  const canSubmit = reasonOk && ready && !pending;

  const submit = async () => {
    if (!canSubmit) return;
    setPending(true);
    setError(null);
    try {
      const result = await onSubmit(trimmed);
      if (successMessage !== null) void message.success(successMessage ?? t('common.saved'));
      onClose();
      onDone?.(result);
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  };

  return (
    <Modal
      open={open}
      title={title}
      onCancel={onClose}
      destroyOnHidden
      maskClosable={!pending}
      footer={[
        <Button key="cancel" data-testid="reason-cancel" onClick={onClose} disabled={pending}>
          {t('common.cancel')}
        </Button>,
        <Button key="ok" data-testid="reason-submit" type="primary" danger={danger} loading={pending} disabled={!canSubmit} onClick={() => void submit()}>
          {submitLabel ?? t('reason.submit')}
        </Button>,
      ]}
    >
      <div data-testid="reason-modal">
        <ErrorBanner error={error} />
        {description ? <Typography.Paragraph>{description}</Typography.Paragraph> : null}
        <Form layout="vertical" component="div">
          {children}
          <Form.Item
            label={t('reason.label')}
            required
            validateStatus={reason.length > 0 && !reasonOk ? 'error' : undefined}
            help={reason.length > 0 && trimmed.length < REASON_MIN ? t('reason.min') : undefined}
          >
            <Input.TextArea
              data-testid="reason-input"
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              placeholder={t('reason.placeholder')}
              maxLength={REASON_MAX}
              autoSize={{ minRows: 2, maxRows: 6 }}
              autoFocus
              onKeyDown={(e) => {
                if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) void submit();
              }}
            />
          </Form.Item>
        </Form>
      </div>
    </Modal>
  );
}

type AskConfig = Omit<ReasonModalProps<unknown>, 'open' | 'onClose'>;

/**
 * For a change that needs nothing but a reason: `ask({title, onSubmit})` opens the modal; render `modal`.
 */
export function useReasonModal() {
  const [config, setConfig] = useState<AskConfig | null>(null);
  const [open, setOpen] = useState(false);
  const ask = useCallback((c: AskConfig) => {
    setConfig(c);
    setOpen(true);
  }, []);
  const close = useCallback(() => setOpen(false), []);
  const modal = config ? <ReasonModal {...config} open={open} onClose={close} /> : null;
  return { ask, modal };
}
