import { Widget } from '@lumino/widgets';

import { IEntry } from './model';

/*
 * The bodies of the attach, abandon and lesson dialogs: plain DOM, every text
 * set with textContent only.
 */

function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = '',
  text = ''
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text) {
    node.textContent = text;
  }
  return node;
}

function labelled<T extends HTMLElement>(
  parent: HTMLElement,
  label: string,
  control: T
): T {
  const wrap = element('label', 'jp-ExpJournal-dialogField', label);
  control.classList.add('jp-mod-styled');
  wrap.appendChild(control);
  parent.appendChild(wrap);
  return control;
}

function input(name: string, placeholder = ''): HTMLInputElement {
  const node = element('input');
  node.name = name;
  node.placeholder = placeholder;
  return node;
}

function textarea(name: string, placeholder = ''): HTMLTextAreaElement {
  const node = element('textarea');
  node.name = name;
  node.rows = 3;
  node.placeholder = placeholder;
  return node;
}

/** A chooser among open entries, or null when there is only one. */
function openEntryChooser(
  parent: HTMLElement,
  open: IEntry[],
  preferred?: string
): HTMLSelectElement | null {
  if (open.length < 2) {
    return null;
  }
  const select = element('select');
  select.name = 'entry';
  for (const entry of [...open].reverse()) {
    const option = element('option', '', `${entry.name} (${entry.timestamp})`);
    option.value = entry.ref;
    option.selected = entry.ref === preferred;
    select.appendChild(option);
  }
  return labelled(parent, 'Experiment', select);
}

export interface IAttachValue {
  entry?: string;
  learning: string;
  next: string;
}

/** Asks learning and next before a cell's outputs are attached. */
export class AttachBody extends Widget {
  constructor(summary: string, open: IEntry[], preferred?: string) {
    super();
    this.addClass('jp-ExpJournal-dialog');
    this.node.appendChild(element('p', 'jp-ExpJournal-dialogNote', summary));
    this._entry = openEntryChooser(this.node, open, preferred);
    this._learning = labelled(
      this.node,
      'Learning',
      textarea('learning', 'What did this teach you?')
    );
    this._next = labelled(this.node, 'Next', input('next', 'What to try next'));
  }

  getValue(): IAttachValue {
    return {
      entry: this._entry?.value || undefined,
      learning: this._learning.value,
      next: this._next.value
    };
  }

  private _entry: HTMLSelectElement | null;
  private _learning: HTMLTextAreaElement;
  private _next: HTMLInputElement;
}

/** Asks why an open experiment is abandoned. */
export class AbandonBody extends Widget {
  constructor(open: IEntry[], preferred?: string) {
    super();
    this.addClass('jp-ExpJournal-dialog');
    this._entry = openEntryChooser(this.node, open, preferred);
    if (!this._entry && open.length === 1) {
      this.node.appendChild(
        element('p', 'jp-ExpJournal-dialogNote', `Abandon '${open[0].name}'.`)
      );
    }
    this._reason = labelled(
      this.node,
      'Reason',
      input('reason', 'Why it is stopped')
    );
  }

  getValue(): { entry?: string; reason: string } {
    return {
      entry: this._entry?.value || undefined,
      reason: this._reason.value
    };
  }

  private _entry: HTMLSelectElement | null;
  private _reason: HTMLInputElement;
}

export type LessonValue =
  | { kind: 'lesson'; text: string; context: string; source: string }
  | { kind: 'NEVER' | 'ALWAYS'; action: string; reason: string };

/** A lesson, or a NEVER/ALWAYS rule. */
export class LessonBody extends Widget {
  constructor() {
    super();
    this.addClass('jp-ExpJournal-dialog');
    this._kind = element('select');
    this._kind.name = 'kind';
    for (const [value, label] of [
      ['lesson', 'Lesson'],
      ['NEVER', 'Rule: NEVER …'],
      ['ALWAYS', 'Rule: ALWAYS …']
    ]) {
      const option = element('option', '', label);
      option.value = value;
      this._kind.appendChild(option);
    }
    labelled(this.node, 'Kind', this._kind);
    this._text = labelled(
      this.node,
      'Text',
      textarea('text', 'alpha/r ratio matters more than rank')
    );
    this._context = labelled(this.node, 'Context', input('context', 'QLoRA'));
    this._source = labelled(this.node, 'Source', input('source', 'runs 3-5'));
    this._kind.addEventListener('change', () => this._relabel());
    this._relabel();
  }

  getValue(): LessonValue {
    const kind = this._kind.value;
    if (kind === 'NEVER' || kind === 'ALWAYS') {
      return { kind, action: this._text.value, reason: this._context.value };
    }
    return {
      kind: 'lesson',
      text: this._text.value,
      context: this._context.value,
      source: this._source.value
    };
  }

  private _relabel(): void {
    const rule = this._kind.value !== 'lesson';
    const label = (control: HTMLElement, text: string) => {
      const wrap = control.parentElement!;
      wrap.firstChild!.textContent = text;
    };
    label(this._text, rule ? `${this._kind.value} (what)` : 'Text');
    label(this._context, rule ? 'Because / when' : 'Context');
    this._source.parentElement!.style.display = rule ? 'none' : '';
  }

  private _kind: HTMLSelectElement;
  private _text: HTMLTextAreaElement;
  private _context: HTMLInputElement;
  private _source: HTMLInputElement;
}
