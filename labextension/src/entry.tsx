import { PathExt, URLExt } from '@jupyterlab/coreutils';
import * as React from 'react';

import { IEntry } from './model';

/*
 * One entry of the journal as a card: what the sidebar shows of it, as text.
 */

export function StatusBadge(props: { status: string }): JSX.Element {
  return (
    <span className={`jp-ExpJournal-badge jp-ExpJournal-badge-${props.status}`}>
      {props.status}
    </span>
  );
}

/** An image's URL: the server lists only files of the experiments folder, by the core's rule. */
function imageUrl(filesBase: string, path: string): string {
  return URLExt.join(filesBase, URLExt.encodeParts(PathExt.normalize(path)));
}

function Field(props: { label: string; value: string }): JSX.Element | null {
  if (!props.value) {
    return null;
  }
  return (
    <div className="jp-ExpJournal-field">
      <span className="jp-ExpJournal-fieldLabel">{props.label}</span>{' '}
      <span className="jp-ExpJournal-fieldValue">{props.value}</span>
    </div>
  );
}

function EntryCard(props: {
  entry: IEntry;
  filesBase: string;
  children?: React.ReactNode;
}): JSX.Element {
  const { entry, filesBase } = props;
  return (
    <article
      className={`jp-ExpJournal-entry jp-ExpJournal-entry-${entry.status}`}
      aria-label={entry.name}
      data-heading={entry.heading}
      data-ref={entry.ref}
    >
      <div className="jp-ExpJournal-entryHead">
        <StatusBadge status={entry.status} />
        <span className="jp-ExpJournal-entryName">{entry.name}</span>
        <time className="jp-ExpJournal-entryTime">{entry.timestamp}</time>
      </div>
      {entry.hypothesis && (
        <div className="jp-ExpJournal-hypothesis">{entry.hypothesis}</div>
      )}
      <Field label="Change" value={entry.change_shown} />
      <Field label="Expected" value={entry.expected} />
      <Field label="Actual" value={entry.actual_summary} />
      <Field label="Delta" value={entry.delta} />
      <Field label="Learning" value={entry.learning} />
      <Field label="Next" value={entry.next} />
      {entry.images.length > 0 && (
        <div className="jp-ExpJournal-images">
          {entry.images.map(path => {
            const src = imageUrl(filesBase, path);
            return (
              <a key={path} href={src} target="_blank" rel="noreferrer">
                <img src={src} alt={`${entry.name}: ${path}`} loading="lazy" />
              </a>
            );
          })}
        </div>
      )}
      <details className="jp-ExpJournal-details">
        <summary>Details</summary>
        <Field label="Baseline" value={entry.baseline} />
        <Field label="Duration" value={entry.duration} />
        {entry.config_lines.length > 0 && (
          <ul className="jp-ExpJournal-configList">
            {entry.config_lines.map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
        )}
        {entry.actual && (
          <pre className="jp-ExpJournal-actual">{entry.actual}</pre>
        )}
      </details>
      {props.children}
    </article>
  );
}

/** Whether two JSON values (an entry as the server sends it) are equal. */
function sameJSON(a: unknown, b: unknown): boolean {
  if (a === b) {
    return true;
  }
  if (!a || !b || typeof a !== 'object' || typeof b !== 'object') {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) {
    return false;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  return (
    keys.length === Object.keys(y).length &&
    keys.every(key => key in y && sameJSON(x[key], y[key]))
  );
}

/**
 * Re-rendered only when what it shows changes: each poll that finds the
 * journal changed brings every entry as a new object, and an unchanged one
 * keeps its card.
 */
export const MemoEntryCard = React.memo(
  EntryCard,
  (prev, next) =>
    prev.filesBase === next.filesBase &&
    prev.children === next.children &&
    sameJSON(prev.entry, next.entry)
);
