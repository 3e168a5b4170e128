import { Timeline, Typography } from 'antd';
import type { TransferEvent } from '../../api/types';
import { dateTime } from '../../lib/format';

const COLORS: Record<string, string> = { succeeded: 'green', failed: 'red', unknown: 'orange', reversed: 'magenta', sending: 'blue', requested: 'gray' };

/** The transfer's moves, oldest first: from what, to what, why. */
export function EventsTimeline({ events }: { events: readonly TransferEvent[] }) {
  return (
    <Timeline
      data-testid="events"
      items={events.map((e, i) => ({
        key: `${e.at}-${i}`,
        color: COLORS[e.to] ?? 'blue',
        children: (
          <div data-testid="event" data-to={e.to}>
            <Typography.Text strong className="fb-mono">
              {e.from ?? '∅'} → {e.to}
            </Typography.Text>{' '}
            <Typography.Text type="secondary">{dateTime(e.at)}</Typography.Text>
            <div>{e.reason}</div>
          </div>
        ),
      }))}
    />
  );
}
