import { ServerConnection } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { postAPI, requestAPI } from './request';

/** One `- key: old → new` line of an entry's config. */
export interface IConfigItem {
  key: string;
  old: string | null;
  new: string | null;
  changed: boolean;
}

/** An entry of journal.md, as the core's export gives it. */
export interface IEntry {
  id: string;
  index: number;
  heading: string;
  timestamp: string;
  name: string;
  status: 'PLANNED' | 'COMPLETED' | 'ABANDONED' | string;
  hypothesis: string;
  change: string;
  config: IConfigItem[];
  changed_keys: string[];
  expected: string;
  baseline: string;
  actual: string;
  actual_summary: string;
  delta: string;
  duration: string;
  learning: string;
  next: string;
  images: string[];
  fields: Record<string, string>;
}

export interface ILesson {
  date: string;
  text: string;
  context: string;
  source: string;
}

export interface IRule {
  kind: 'NEVER' | 'ALWAYS' | string;
  action: string;
  reason: string;
  connective: string;
  date: string;
  text: string;
}

/** `GET /expjournal/api/journal`. */
export interface IJournal {
  directory: string;
  directory_relative: string;
  journal_path: string;
  exists: boolean;
  counts: Record<string, number>;
  entries: IEntry[];
  open: IEntry[];
  lessons: ILesson[];
  rules: IRule[];
  reminders: string[];
  parameters: Record<string, unknown[]>;
}

/** A config row of the hypothesis form: an empty `new` means unchanged. */
export interface IConfigRow {
  key: string;
  old: string;
  new: string;
}

export interface IDraft {
  name: string;
  hypothesis: string;
  change: string;
  config: IConfigRow[];
  expected: string;
  baseline: string;
}

export interface IGateFlags {
  parallel?: boolean;
  strict?: boolean;
  force?: boolean;
}

/** `POST /expjournal/api/check`. */
export interface ICheckReply {
  refusals: string[];
  warnings: string[];
  repeats: IEntry[];
  rules: IRule[];
}

export interface IImage {
  mime: string;
  data: string;
}

/** The body of `POST /expjournal/api/result` less `path`. */
export interface IResult {
  heading?: string;
  name?: string;
  outcome?: string;
  output?: string;
  images?: IImage[];
  learning?: string;
  next?: string;
  delta?: string;
  source?: string;
}

/** How often the journal is asked for while the sidebar is visible (304 when unchanged). */
export const POLL_MS = 1000;

/**
 * The journal of one folder, kept fresh by polling with an ETag while someone
 * looks at it. Every write goes through the server and is followed by a refresh.
 */
export class JournalModel {
  constructor(readonly settings: ServerConnection.ISettings) {
    document.addEventListener('visibilitychange', this._onVisibility);
  }

  /** Fired when the journal, its folder or the error changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The notebook's folder, relative to the server root ('' is the root). */
  get path(): string {
    return this._path;
  }

  set path(path: string) {
    if (path === this._path) {
      return;
    }
    this._path = path;
    this._etag = null;
    this._journal = null;
    this._error = null;
    this._changed.emit();
    if (this._active) {
      void this.refresh();
    } // else: fetched when the panel is shown, or by a command that needs it
  }

  get journal(): IJournal | null {
    return this._journal;
  }

  get error(): string | null {
    return this._error;
  }

  /** Poll while true (the sidebar is shown and the tab is visible). */
  get active(): boolean {
    return this._active;
  }

  set active(value: boolean) {
    this._active = value;
    this._schedule(0);
  }

  /** Ask the server now; a 304 changes nothing. */
  refresh(): Promise<void> {
    if (this._inFlight) {
      // One request at a time; the one under way may predate the change the
      // caller wants to see, so one more follows it (shared by all callers).
      if (!this._queued) {
        this._queued = this._inFlight.then(() => {
          this._queued = null;
          return this.refresh();
        });
      }
      return this._queued;
    }
    this._inFlight = this._fetch().finally(() => {
      this._inFlight = null;
    });
    return this._inFlight;
  }

  /** The gates' verdict on a draft; nothing is written. */
  check(draft: IDraft, flags: IGateFlags = {}): Promise<ICheckReply> {
    return postAPI<ICheckReply>(
      'check',
      { path: this._path, draft: draftBody(draft), ...flags },
      this.settings
    );
  }

  /** Log a PLANNED entry (201), or throw the gates' refusals (409). */
  async hypothesize(
    draft: IDraft,
    flags: IGateFlags = {}
  ): Promise<{ entry: IEntry; warnings: string[] }> {
    return this._write('hypothesis', { ...draftBody(draft), ...flags });
  }

  /** Complete an open entry with outputs, figures, learning and next. */
  result(result: IResult): Promise<{ entry: IEntry; assets: string[] }> {
    return this._write('result', result);
  }

  abandon(reason: string, heading?: string): Promise<{ entry: IEntry }> {
    return this._write('abandon', { reason, heading });
  }

  lesson(text: string, context = '', source = ''): Promise<{ line: string }> {
    return this._write('lesson', { text, context, source });
  }

  rule(
    kind: 'NEVER' | 'ALWAYS',
    action: string,
    reason = ''
  ): Promise<{ line: string }> {
    return this._write('lesson', { rule: kind, action, reason });
  }

  dispose(): void {
    document.removeEventListener('visibilitychange', this._onVisibility);
    this._active = false;
    window.clearTimeout(this._timer);
  }

  private async _write<T>(endPoint: string, body: object): Promise<T> {
    const path = this._path;
    try {
      return await postAPI<T>(endPoint, { path, ...body }, this.settings);
    } finally {
      void this.refresh();
    }
  }

  private async _fetch(): Promise<void> {
    const path = this._path;
    try {
      const reply = await requestAPI<IJournal>(
        `journal?path=${encodeURIComponent(path)}`,
        {},
        this.settings,
        this._etag
      );
      if (path !== this._path) {
        return; // the folder changed meanwhile: this answer is stale
      }
      if (reply.status === 304 && this._journal) {
        if (this._error) {
          this._error = null;
          this._changed.emit();
        }
        return;
      }
      this._journal = reply.data;
      this._etag = reply.etag;
      this._error = null;
      // User-timing marks (devtools' Performance panel, the UI tests): data in, then painted.
      performance.clearMarks('expjournal:data');
      performance.clearMarks('expjournal:painted');
      performance.mark('expjournal:data');
      this._changed.emit();
    } catch (error) {
      if (path !== this._path) {
        return;
      }
      const message = (error as Error).message || String(error);
      if (message !== this._error) {
        this._error = message;
        this._changed.emit();
      }
    }
  }

  private _schedule(delay: number): void {
    window.clearTimeout(this._timer);
    if (!this._active || document.visibilityState === 'hidden') {
      return;
    }
    this._timer = window.setTimeout(async () => {
      await this.refresh();
      this._schedule(POLL_MS);
    }, delay);
  }

  private _onVisibility = (): void => {
    this._schedule(0);
  };

  private _path = '';
  private _journal: IJournal | null = null;
  private _error: string | null = null;
  private _etag: string | null = null;
  private _active = false;
  private _timer = 0;
  private _inFlight: Promise<void> | null = null;
  private _queued: Promise<void> | null = null;
  private _changed = new Signal<this, void>(this);
}

/**
 * The draft as the server reads it: a row with no new value is unchanged
 * (`{key, value}`), a row with no old value adds the key.
 */
export function draftBody(draft: IDraft): object {
  const config = draft.config
    .filter(row => row.key.trim())
    .map(row => {
      const key = row.key.trim();
      const old = row.old.trim();
      const next = row.new.trim();
      if (!next) {
        return { key, value: old };
      }
      return { key, old: old || null, new: next };
    });
  return {
    name: draft.name.trim(),
    hypothesis: draft.hypothesis,
    change: draft.change,
    config,
    expected: draft.expected,
    baseline: draft.baseline
  };
}
