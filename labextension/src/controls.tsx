import * as React from 'react';

import { IEntry, IJournal } from './model';

/*
 * Above the entries: the search box, the status, parameter and order
 * choices, and the cards / compare table switch.
 */

/** One labelled choice: its options as [value, text]. */
function Choice(props: {
  label: string;
  value: string;
  set: (value: string) => void;
  options: [string, string][];
}): JSX.Element {
  return (
    <select
      className="jp-mod-styled"
      aria-label={props.label}
      value={props.value}
      onChange={e => props.set(e.target.value)}
    >
      {props.options.map(([value, text]) => (
        <option key={value} value={value}>
          {text}
        </option>
      ))}
    </select>
  );
}

/** The list in the order the core gave for a metric (`refs`, best first); by time it stays newest first. */
export function ordered(
  entries: IEntry[],
  sort: string,
  refs: string[] | null
): IEntry[] {
  if (sort === 'oldest') {
    return [...entries].reverse();
  }
  if (!refs) {
    return entries;
  }
  const rank = new Map(refs.map((ref, i) => [ref, i]));
  const at = (e: IEntry) => rank.get(e.ref) ?? refs.length;
  return [...entries].sort((a, b) => at(a) - at(b));
}

export function Controls(props: {
  journal: IJournal;
  query: string;
  setQuery: (value: string) => void;
  status: string;
  setStatus: (value: string) => void;
  parameter: string;
  setParameter: (value: string) => void;
  sort: string;
  setSort: (value: string) => void;
  table: boolean;
  setTable: (value: boolean) => void;
}): JSX.Element {
  const { journal } = props;
  const statuses = Object.keys(journal.counts);
  const parameters = Object.keys(journal.parameters ?? {}).sort();
  const metrics = journal.metric_names ?? [];
  return (
    <div className="jp-ExpJournal-controls">
      <input
        type="search"
        className="jp-mod-styled jp-ExpJournal-filter"
        aria-label="Filter entries"
        placeholder="Search every field…"
        title="Every word must be found in the entry: any field, a metric (accuracy = 0.975), a config value"
        value={props.query}
        onChange={e => props.setQuery(e.target.value)}
      />
      <div className="jp-ExpJournal-selects">
        <Choice
          label="Status"
          value={props.status}
          set={props.setStatus}
          options={[
            ['', 'Closed entries'],
            ...statuses.map((status): [string, string] => [
              status,
              `${status} (${journal.counts[status]})`
            ])
          ]}
        />
        <Choice
          label="Parameter"
          value={props.parameter}
          set={props.setParameter}
          options={[
            ['', 'Any parameter'],
            ...parameters.map((key): [string, string] => [
              key,
              `changed ${key}`
            ])
          ]}
        />
        <Choice
          label="Sort by"
          value={props.sort}
          set={props.setSort}
          options={[
            ['time', 'Newest first'],
            ['oldest', 'Oldest first'],
            ...metrics.map((name): [string, string] => [
              `metric:${name}`,
              `Best ${name} first`
            ])
          ]}
        />
      </div>
      <div className="jp-ExpJournal-view" role="group" aria-label="View">
        <button
          type="button"
          className="jp-ExpJournal-linkButton"
          aria-pressed={!props.table}
          onClick={() => props.setTable(false)}
        >
          Cards
        </button>
        <button
          type="button"
          className="jp-ExpJournal-linkButton"
          aria-pressed={props.table}
          onClick={() => props.setTable(true)}
        >
          Compare table
        </button>
      </div>
    </div>
  );
}
