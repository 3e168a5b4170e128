import type { MinutePoint } from '../../api/types';
import { timeOfDay } from '../../lib/format';
import { useI18n, type DictKey } from '../../i18n';

type Series = 'created' | 'succeeded' | 'failed' | 'unknown';

const SERIES: readonly { key: Series; label: DictKey; color: string }[] = [
  { key: 'created', label: 'dashboard.created', color: '#1d4ed8' },
  { key: 'succeeded', label: 'dashboard.succeeded', color: '#16a34a' },
  { key: 'failed', label: 'dashboard.failed', color: '#dc2626' },
  { key: 'unknown', label: 'dashboard.unknown', color: '#d97706' },
];

const W = 720;
const H = 200;
const PAD = { left: 36, right: 16, top: 8, bottom: 20 };

/** A nice round top for the y axis. */
function niceMax(n: number): number {
  if (n <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(n));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= n) return step * magnitude;
  return 10 * magnitude;
}

/** The last hour, one point a minute, as plain SVG lines (no chart library: the bundle stays small). */
export function LastHourChart({ points }: { points: readonly MinutePoint[] }) {
  const { t } = useI18n();
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const max = niceMax(Math.max(0, ...points.flatMap((p) => SERIES.map((s) => p[s.key]))));
  const x = (i: number) => PAD.left + (points.length <= 1 ? innerW / 2 : (i / (points.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / max) * innerH;
  const ticks = [0, max / 4, max / 2, (3 * max) / 4, max];
  const labelEvery = Math.max(1, Math.ceil(points.length / 6));

  return (
    <div data-testid="last-hour-chart">
      <div className="fb-chart-legend">
        {SERIES.map((s) => (
          <span key={s.key} style={{ ['--swatch' as string]: s.color }}>
            {t(s.label)} {points.reduce((sum, p) => sum + p[s.key], 0)}
          </span>
        ))}
      </div>
      <svg className="fb-chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={t('dashboard.lastHour')}>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="#f0f0f0" />
            <text x={PAD.left - 4} y={y(v) + 3} textAnchor="end">
              {Number.isInteger(v) ? v : v.toFixed(1)}
            </text>
          </g>
        ))}
        {points.map((p, i) =>
          i % labelEvery === 0 || i === points.length - 1 ? (
            <text key={p.minute} x={x(i)} y={H - 4} textAnchor={i === points.length - 1 ? 'end' : i === 0 ? 'start' : 'middle'}>
              {timeOfDay(p.minute)}
            </text>
          ) : null,
        )}
        {SERIES.map((s) => (
          <polyline
            key={s.key}
            data-series={s.key}
            fill="none"
            stroke={s.color}
            strokeWidth={1.8}
            strokeLinejoin="round"
            points={points.map((p, i) => `${x(i).toFixed(1)},${y(p[s.key]).toFixed(1)}`).join(' ')}
          />
        ))}
      </svg>
    </div>
  );
}
