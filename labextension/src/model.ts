import * as nbformat from '@jupyterlab/nbformat';
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
  /** The entry's own id (`3f9a1c2e`, from its Provenance line); '' when written by hand without one. */
  id: string;
  /** What names the entry back to the API (`entry` of result and abandon): its id, else its heading. */
  ref: string;
  /** Unique within one answer: a list's key. */
  key: string;
  index: number;
  heading: string;
  timestamp: string;
  name: string;
  status: 'PLANNED' | 'COMPLETED' | 'ABANDONED' | string;
  hypothesis: string;
  change: string;
  /** The Change, or what the config rows changed (the core writes it). */
  change_shown: string;
  config: IConfigItem[];
  /** Each config row as the journal writes it: `C: 1 → 10`. */
  config_lines: string[];
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
  /** The entry's line of the compare table, as the core computes it (core/compare.py). */
  compare?: ICompareRow;
  /** The sweep it planned (core/sweep.py), null for any other entry. */
  sweep?: ISweep | null;
}

/** A one-variable sweep: the key it varies, its values in the order planned, the value before (null: absent). */
export interface ISweep {
  key: string;
  values: string[];
  old: string | null;
}

/** One point of a sweep's compare row: the value swept and what it measured. */
export interface IPoint {
  value: string;
  metrics: Record<string, number | null>;
  /** Each metric as every face writes it (`0.975`). */
  shown: Record<string, string>;
  /** The best point, as the sweep's table marks it (the core judges it). */
  best?: boolean;
}

/** One changed config row of the compare table: old/new null where absent on that side. */
export interface IChange {
  key: string;
  old: string | null;
  new: string | null;
}

/** `entry.compare`: what it changed, what it measured, each metric's change from its baseline. */
export interface ICompareRow {
  changed: IChange[];
  metrics: Record<string, number | null>;
  delta: Record<string, number | null>;
  /** Both as every face writes them (`0.975`, `+0.012`). */
  shown?: {
    metrics: Record<string, string>;
    delta: Record<string, string>;
  };
  /** A sweep's row expanded: each value swept with its metrics (the row's own are its best point's); else empty. */
  points?: IPoint[];
}

/** One piece of a field's value, as the core splits it (core/blocks.py). */
export type IBlock =
  | { kind: 'text' | 'code'; text: string }
  | { kind: 'image'; path: string; alt: string };

/** `GET /expjournal/api/order`: every entry's ref best first by a metric, and the best result. */
export interface IOrder {
  by: string;
  refs: string[];
  best: { ref: string; name: string; baseline: string } | null;
}

/** `GET /expjournal/api/entry`: one entry's every field, and where it was written. */
export interface IDetails {
  entry: IEntry;
  fields: { name: string; blocks: IBlock[] }[];
  origin: {
    /** The notebook from the server root, '' when it is no file under it. */
    notebook: string;
    /** The notebook as the Provenance names it. */
    named: string;
    cell_id: string;
  };
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

/**
 * What the core says (a refusal, a warning, a reminder): its sentence, which
 * gate spoke, the entries it is about, and the ways out as action names that
 * the sidebar words as its own controls (notices.tsx).
 */
export interface INotice {
  gate: string;
  text: string;
  ways_out: string[];
  /** The entries it is about, each as its `ref` (the id, else the heading). */
  entries: string[];
  /** The same in words that name no front end's controls. */
  message: string;
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
  reminders: INotice[];
  parameters: Record<string, unknown[]>;
  /** The core's marker of a config key absent on one side: `(none)`. */
  absent: string;
  /** The keys of an entry whose text a filter searches (an object key: all its values). */
  search_keys: string[];
  lessons_path?: string;
  /** The compare table's metric columns, most common first (core/compare.py). */
  metric_names?: string[];
  /** Each metric's direction: true when a higher value is better. */
  metric_higher_is_better?: Record<string, boolean>;
}

/**
 * A config row of the hypothesis form, sent as typed: the server reads it by
 * the core's one rule (an empty old adds the key, an empty new leaves it
 * unchanged, the absent marker is absent, a blank row is skipped).
 */
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
  /**
   * The sweep as typed (`gamma = 0.001, 0.01, 0.1`, or the key alone when its
   * config row lists the values); '' for none. The server reads it by the
   * core's rule, as the CLI's `--sweep`.
   */
  sweep: string;
}

export interface IGateFlags {
  parallel?: boolean;
  strict?: boolean;
  force?: boolean;
}

/** Where a hypothesis is written from: recorded in its Provenance. */
export interface IOrigin {
  /** The active notebook's path from the server root. */
  notebook?: string;
  cell_id?: string;
}

/** `POST /expjournal/api/check`. */
export interface ICheckReply {
  refusals: INotice[];
  warnings: INotice[];
  repeats: IEntry[];
  rules: IRule[];
}

/**
 * The body of `POST /expjournal/api/result` less `path`: a cell's raw outputs
 * and what is known of the cell; the server makes the outcome of them.
 */
export interface IResult extends IOrigin {
  /** Which open entry: its `ref`. */
  entry?: string;
  name?: string;
  outputs?: nbformat.IOutput[];
  /** The cell's prompt number: "Output of cell [N]". */
  execution_count?: number | null;
  /** The cell's `execution` metadata (its timing, when JupyterLab records it). */
  execution?: unknown;
  learning?: string;
  next?: string;
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
      { path: this._path, draft, ...flags },
      this.settings
    );
  }

  /** Log a PLANNED entry (201), or throw the gates' refusals (409). */
  async hypothesize(
    draft: IDraft,
    flags: IGateFlags = {},
    origin: IOrigin = {}
  ): Promise<{ entry: IEntry; warnings: INotice[] }> {
    return this._write('hypothesis', { ...draft, ...flags, ...origin });
  }

  /** Complete an open entry with a cell's outputs, learning and next. */
  result(result: IResult): Promise<{ entry: IEntry; assets: string[] }> {
    return this._write('result', result);
  }

  /** The entries best first by a metric (the core's order), and the best completed result as a baseline. */
  async order(by: string): Promise<IOrder> {
    const query = `path=${encodeURIComponent(this._path)}&by=${encodeURIComponent(by)}`;
    const reply = await requestAPI<IOrder>(`order?${query}`, {}, this.settings);
    return reply.data as IOrder;
  }

  /** One entry's every field as the core's blocks, and the notebook and cell it was written from. */
  async details(ref: string): Promise<IDetails> {
    const query = `path=${encodeURIComponent(this._path)}&entry=${encodeURIComponent(ref)}`;
    const reply = await requestAPI<IDetails>(
      `entry?${query}`,
      {},
      this.settings
    );
    return reply.data as IDetails;
  }

  /** Log a run that had no hypothesis, after the fact (the magics' `%result --retro`). */
  retro(
    result: IResult & { name: string; hypothesis: string }
  ): Promise<{ entry: IEntry; assets: string[] }> {
    return this._write('retro', result);
  }

  /** The Learning and Next a closed entry lacks. */
  addLearning(
    entry: string,
    learning: string,
    next: string
  ): Promise<{ entry: IEntry }> {
    return this._write('learning', { entry, learning, next });
  }

  abandon(reason: string, entry?: string): Promise<{ entry: IEntry }> {
    return this._write('abandon', { reason, entry });
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
