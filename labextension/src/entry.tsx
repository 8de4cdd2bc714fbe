import { PathExt, URLExt } from '@jupyterlab/coreutils';
import * as React from 'react';

import { IBlock, IDetails, IEntry } from './model';

/*
 * One entry of the journal as a card: what the sidebar shows of it, as text.
 * Every value is a React text node or an attribute: nothing a person wrote is
 * ever parsed as HTML.
 */

/** What a card can do: given by the sidebar, the same object for every card (cards are memoized). */
export interface ICardActions {
  /** The entry's every field as the core's blocks, and where it was written. */
  details(ref: string): Promise<IDetails>;
  /** Open a file of the experiments folder (a figure) in a JupyterLab tab. */
  openFile(path: string): void;
  /** Open the notebook an entry was written from, at its cell. */
  openOrigin(notebook: string, cellId: string): void;
  /** Ask the Learning and Next a closed entry lacks. */
  addLearning(ref: string): void;
}

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

/** A figure as a thumbnail: one click opens it in a JupyterLab tab. */
function Thumbnail(props: {
  path: string;
  alt: string;
  filesBase: string;
  actions: ICardActions;
}): JSX.Element {
  const { path, alt, filesBase, actions } = props;
  return (
    <button
      type="button"
      className="jp-ExpJournal-thumb"
      title={`Open ${PathExt.basename(path)} in a tab`}
      onClick={() => actions.openFile(path)}
    >
      <img src={imageUrl(filesBase, path)} alt={alt} loading="lazy" />
    </button>
  );
}

function Blocks(props: {
  blocks: IBlock[];
  filesBase: string;
  actions: ICardActions;
}): JSX.Element {
  return (
    <>
      {props.blocks.map((block, i) =>
        block.kind === 'image' ? (
          <Thumbnail
            key={i}
            path={block.path}
            alt={block.alt || block.path}
            filesBase={props.filesBase}
            actions={props.actions}
          />
        ) : block.kind === 'code' ? (
          <pre key={i} className="jp-ExpJournal-output">
            {block.text}
          </pre>
        ) : (
          <div key={i} className="jp-ExpJournal-text">
            {block.text}
          </div>
        )
      )}
    </>
  );
}

/** Every field the file holds, in its order, fetched when the details are opened. */
function EntryDetails(props: {
  entry: IEntry;
  filesBase: string;
  actions: ICardActions;
}): JSX.Element {
  const { entry, filesBase, actions } = props;
  const [details, setDetails] = React.useState<IDetails | null>(null);
  const [error, setError] = React.useState('');
  React.useEffect(() => {
    let stale = false;
    actions.details(entry.ref).then(
      value => !stale && (setDetails(value), setError('')),
      reason => !stale && setError((reason as Error).message || String(reason))
    );
    return () => {
      stale = true;
    };
  }, [entry, actions]);
  if (error) {
    return <div className="jp-ExpJournal-error">{error}</div>;
  }
  if (!details) {
    return <div className="jp-ExpJournal-muted">Loading…</div>;
  }
  const { origin } = details;
  return (
    <div className="jp-ExpJournal-fields">
      {origin.notebook ? (
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-ExpJournal-origin"
          title={`Open ${origin.notebook}${origin.cell_id ? ' at the cell it was written from' : ''}`}
          onClick={() => actions.openOrigin(origin.notebook, origin.cell_id)}
        >
          Open {PathExt.basename(origin.notebook)}
          {origin.cell_id ? ' at its cell' : ''}
        </button>
      ) : (
        origin.named && (
          <div className="jp-ExpJournal-muted">
            Written in {origin.named}: no such notebook under the server root.
          </div>
        )
      )}
      <dl>
        {details.fields.map(field => (
          <React.Fragment key={field.name}>
            <dt className="jp-ExpJournal-fieldLabel">{field.name}</dt>
            <dd className="jp-ExpJournal-fieldBlocks">
              {field.name.toLowerCase() === 'config' &&
              entry.config_lines.length ? (
                <ul className="jp-ExpJournal-configList">
                  {entry.config_lines.map((line, i) => (
                    <li key={i}>{line}</li>
                  ))}
                </ul>
              ) : (
                <Blocks
                  blocks={field.blocks}
                  filesBase={filesBase}
                  actions={actions}
                />
              )}
            </dd>
          </React.Fragment>
        ))}
      </dl>
    </div>
  );
}

function EntryCard(props: {
  entry: IEntry;
  filesBase: string;
  actions: ICardActions;
  children?: React.ReactNode;
}): JSX.Element {
  const { entry, filesBase, actions } = props;
  const [open, setOpen] = React.useState(false);
  return (
    <article
      className={`jp-ExpJournal-entry jp-ExpJournal-entry-${entry.status}`}
      aria-label={entry.name}
      data-heading={entry.heading}
      data-ref={entry.ref}
    >
      <div className="jp-ExpJournal-entryName">{entry.name}</div>
      <div className="jp-ExpJournal-entryMeta">
        <StatusBadge status={entry.status} />
        <time className="jp-ExpJournal-entryTime">{entry.timestamp}</time>
        {entry.changed_keys.map(key => (
          <span key={key} className="jp-ExpJournal-key" title="Changed key">
            {key}
          </span>
        ))}
      </div>
      {entry.hypothesis && (
        <div className="jp-ExpJournal-hypothesis">{entry.hypothesis}</div>
      )}
      <Field label="Change" value={entry.change_shown} />
      {entry.sweep && (
        <div
          className="jp-ExpJournal-field jp-ExpJournal-sweep"
          title={`A sweep of ${entry.sweep.key}: one experiment, a run per value`}
        >
          <span className="jp-ExpJournal-fieldLabel">Sweep</span>{' '}
          <span className="jp-ExpJournal-key">{entry.sweep.key}</span>{' '}
          <span className="jp-ExpJournal-fieldValue">
            {entry.sweep.values.join(', ')}
          </span>
        </div>
      )}
      <Field label="Expected" value={entry.expected} />
      <Field label="Actual" value={entry.actual_summary} />
      <Field label="Delta" value={entry.delta} />
      <Field label="Learning" value={entry.learning} />
      <Field label="Next" value={entry.next} />
      {entry.images.length > 0 && (
        <div className="jp-ExpJournal-images">
          {entry.images.map(path => (
            <Thumbnail
              key={path}
              path={path}
              alt={`${entry.name}: ${path}`}
              filesBase={filesBase}
              actions={actions}
            />
          ))}
        </div>
      )}
      {entry.status === 'COMPLETED' && !entry.learning && (
        <button
          type="button"
          className="jp-ExpJournal-linkButton"
          title="This result has no Learning yet: what did it teach you?"
          onClick={() => actions.addLearning(entry.ref)}
        >
          Add learning…
        </button>
      )}
      <details
        className="jp-ExpJournal-details"
        onToggle={e => setOpen((e.currentTarget as HTMLDetailsElement).open)}
      >
        <summary>Details</summary>
        {open && (
          <EntryDetails entry={entry} filesBase={filesBase} actions={actions} />
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
    prev.actions === next.actions &&
    prev.children === next.children &&
    sameJSON(prev.entry, next.entry)
);
