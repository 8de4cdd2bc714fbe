import * as React from 'react';

import { StatusBadge } from './entry';
import { IEntry, IJournal } from './model';

/*
 * The compare table: entries as rows, what each changed (old → new), each
 * metric with its change from the baseline, the status. Every number and its
 * text come from the core (`entry.compare`, `metric_names`); the table only
 * lays them out. A sweep is one row (its best point's metrics) with a toggle
 * that expands it to its points (`entry.compare.points`): each value swept,
 * each metric. In a narrow panel (JupyterLab's default 250 px) the status goes
 * under the entry's name and what changed wraps, so that the metrics stay in
 * sight (base.css, the container query on the panel).
 */

/**
 * What an entry changed, as the core wrote it: its changed config rows
 * (`config_lines`, `C: 1 → 10`), else its Change (`change_shown`).
 */
function changedLines(entry: IEntry): string[] {
  const lines = entry.config_lines.filter((_, i) => entry.config[i]?.changed);
  return lines.length ? lines : entry.change_shown ? [entry.change_shown] : [];
}

export function CompareTable(props: {
  journal: IJournal;
  entries: IEntry[];
  /** The entry the person points at in the table: shown as its card. */
  onPick?: (entry: IEntry) => void;
}): JSX.Element {
  const { journal, entries } = props;
  const metrics = journal.metric_names ?? [];
  const higher = journal.metric_higher_is_better ?? {};
  const [expanded, setExpanded] = React.useState<ReadonlySet<string>>(
    () => new Set()
  );
  const toggle = (key: string) =>
    setExpanded(before => {
      const after = new Set(before);
      if (!after.delete(key)) {
        after.add(key);
      }
      return after;
    });
  return (
    <div className="jp-ExpJournal-tableWrap">
      <table className="jp-ExpJournal-compare" aria-label="Compare entries">
        <thead>
          <tr>
            <th scope="col">Entry</th>
            <th scope="col">Changed</th>
            {metrics.map(name => (
              <th
                scope="col"
                key={name}
                title={`${name}: ${higher[name] === false ? 'lower' : 'higher'} is better; below it, the change from the baseline`}
              >
                {name} {higher[name] === false ? '↓' : '↑'}
              </th>
            ))}
            <th scope="col" className="jp-ExpJournal-wideOnly">
              Status
            </th>
          </tr>
        </thead>
        <tbody>
          {entries.map(entry => {
            const row = entry.compare;
            const points = row?.points ?? [];
            const open = points.length > 0 && expanded.has(entry.key);
            const key = entry.sweep?.key ?? '';
            return (
              <React.Fragment key={entry.key}>
                <tr
                  data-ref={entry.ref}
                  className={open ? 'jp-ExpJournal-sweepOpen' : undefined}
                >
                  <th scope="row">
                    <div className="jp-ExpJournal-tableName">{entry.name}</div>
                    <time className="jp-ExpJournal-muted">
                      {entry.timestamp}
                    </time>
                    <div className="jp-ExpJournal-narrowOnly">
                      <StatusBadge status={entry.status} />
                    </div>
                    {points.length > 0 && (
                      <div>
                        <button
                          type="button"
                          className="jp-ExpJournal-linkButton jp-ExpJournal-sweepToggle"
                          aria-expanded={open}
                          title={
                            open
                              ? 'Show the sweep as one row (its best point)'
                              : `Show each value of ${key} swept, with what it measured`
                          }
                          onClick={() => toggle(entry.key)}
                        >
                          {open ? '▾' : '▸'} {points.length} points of {key}
                        </button>
                      </div>
                    )}
                  </th>
                  <td>
                    {changedLines(entry).map((line, i) => (
                      <div key={i} className="jp-ExpJournal-tableChange">
                        {line}
                      </div>
                    ))}
                  </td>
                  {metrics.map(name => {
                    const value = row?.shown?.metrics[name];
                    const delta = row?.shown?.delta[name];
                    return (
                      <td key={name} className="jp-ExpJournal-metric">
                        {value ?? ''}
                        {delta && (
                          <div className="jp-ExpJournal-delta">Δ {delta}</div>
                        )}
                      </td>
                    );
                  })}
                  <td className="jp-ExpJournal-wideOnly">
                    <StatusBadge status={entry.status} />
                  </td>
                </tr>
                {open &&
                  points.map(point => (
                    <tr
                      key={point.value}
                      className={
                        point.best
                          ? 'jp-ExpJournal-point jp-ExpJournal-pointBest'
                          : 'jp-ExpJournal-point'
                      }
                      data-point={point.value}
                      aria-label={`${entry.name}: ${key}=${point.value}${point.best ? ' (best)' : ''}`}
                    >
                      <th scope="row" colSpan={2}>
                        <span className="jp-ExpJournal-tableChange">
                          {key}={point.value}
                        </span>
                        {point.best && (
                          <span className="jp-ExpJournal-muted"> best</span>
                        )}
                      </th>
                      {metrics.map(name => (
                        <td key={name} className="jp-ExpJournal-metric">
                          {point.shown[name] ?? ''}
                        </td>
                      ))}
                      <td className="jp-ExpJournal-wideOnly" />
                    </tr>
                  ))}
              </React.Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
