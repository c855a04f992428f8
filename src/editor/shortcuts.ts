/** The keyboard shortcuts: one table drives both the handler and the `?` sheet. */
import { openSideTab } from './SidePanel';

export type ShortcutAction =
  | 'undo'
  | 'redo'
  | 'delete'
  | 'copy'
  | 'paste'
  | 'duplicate'
  | 'selectAll'
  | 'open'
  | 'save'
  | 'exportModel'
  | 'new'
  | 'fit'
  | 'arrange'
  | 'zoomIn'
  | 'zoomOut'
  | 'help'
  | 'escape'
  | 'findLayer'
  | 'inspect'
  | 'train'
  | 'probe'
  | 'makeBlock';

export interface Shortcut {
  action: ShortcutAction;
  keys: string;
  label: string;
  match(e: KeyboardEvent): boolean;
  /** Runs the shortcut where it needs nothing from the editor component (else the editor runs `action`). */
  run?(): void;
}

/** Keys that only make sense on a focused element (a canvas node, the palette search): shown on the sheet, handled there. */
export interface FocusedKey {
  keys: string;
  where: string;
  label: string;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const key = (e: KeyboardEvent) => e.key.toLowerCase();
/** A letter alone (no modifier, no Shift: Shift A arranges). */
const plain = (letter: string) => (e: KeyboardEvent) => !mod(e) && !e.altKey && !e.shiftKey && key(e) === letter;

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'undo', keys: 'Ctrl/⌘ Z', label: 'Undo', match: (e) => mod(e) && !e.shiftKey && key(e) === 'z' },
  { action: 'redo', keys: 'Ctrl/⌘ Shift Z, Ctrl Y', label: 'Redo', match: (e) => mod(e) && ((e.shiftKey && key(e) === 'z') || key(e) === 'y') },
  { action: 'delete', keys: 'Delete, Backspace', label: 'Delete the selected nodes', match: (e) => !mod(e) && (e.key === 'Delete' || e.key === 'Backspace') },
  { action: 'copy', keys: 'Ctrl/⌘ C', label: 'Copy the selected nodes', match: (e) => mod(e) && key(e) === 'c' },
  { action: 'paste', keys: 'Ctrl/⌘ V', label: 'Paste', match: (e) => mod(e) && key(e) === 'v' },
  { action: 'makeBlock', keys: 'Ctrl/⌘ G', label: 'Make a block of the selected nodes (double-click a block to open it, Esc to leave)', match: (e) => mod(e) && !e.shiftKey && key(e) === 'g' },
  { action: 'duplicate', keys: 'Ctrl/⌘ D', label: 'Duplicate the selected nodes', match: (e) => mod(e) && key(e) === 'd' },
  { action: 'selectAll', keys: 'Ctrl/⌘ A', label: 'Select every node', match: (e) => mod(e) && key(e) === 'a' },
  { action: 'open', keys: 'Ctrl/⌘ O', label: 'Open a graph file or a trained model', match: (e) => mod(e) && key(e) === 'o' },
  { action: 'save', keys: 'Ctrl/⌘ S', label: 'Save the graph as a file', match: (e) => mod(e) && key(e) === 's' },
  { action: 'exportModel', keys: 'Ctrl/⌘ E', label: 'Export the model (TensorFlow.js, Keras, PyTorch)', match: (e) => mod(e) && !e.shiftKey && key(e) === 'e' },
  { action: 'new', keys: 'Alt N', label: 'New graph', match: (e) => e.altKey && key(e) === 'n' },
  { action: 'fit', keys: 'F', label: 'Zoom to fit', match: (e) => !mod(e) && key(e) === 'f' },
  { action: 'arrange', keys: 'Shift A', label: 'Auto-arrange the layout', match: (e) => !mod(e) && e.shiftKey && key(e) === 'a' },
  { action: 'zoomIn', keys: '+', label: 'Zoom in', match: (e) => !mod(e) && (e.key === '+' || e.key === '=') },
  { action: 'zoomOut', keys: '-', label: 'Zoom out', match: (e) => !mod(e) && e.key === '-' },
  { action: 'help', keys: '?', label: 'Show this sheet', match: (e) => e.key === '?' },
  { action: 'escape', keys: 'Esc', label: 'Close menus, clear the selection', match: (e) => e.key === 'Escape' },
  {
    action: 'findLayer',
    keys: '/',
    label: 'Search the layers (Enter adds the first match and focuses it on the canvas)',
    match: (e) => !mod(e) && !e.altKey && e.key === '/',
    run: () => document.querySelector<HTMLInputElement>('[data-testid="palette-search"]')?.focus(),
  },
  { action: 'inspect', keys: 'I', label: 'Inspect: go to the selected node’s fields (its inputs, parameters)', match: plain('i'), run: () => openSideTab('inspect', true) },
  { action: 'train', keys: 'T', label: 'Train: go to the Train tab', match: plain('t'), run: () => openSideTab('train', true) },
  { action: 'probe', keys: 'P', label: 'Probe: go to the Probe tab', match: plain('p'), run: () => openSideTab('probe', true) },
];

/** The keyboard-only way through the editor, for the sheet. */
export const FOCUSED_KEYS: readonly FocusedKey[] = [
  { keys: 'Tab, Shift Tab', where: 'anywhere', label: 'Move between controls; every node on the canvas is a stop' },
  { keys: '↓ ↑, Enter', where: 'layer search', label: 'Walk the matching layers; Enter adds one' },
  { keys: 'Enter, Space', where: 'a node', label: 'Select it (Ctrl/⌘ adds it to the selection)' },
  { keys: '← → ↑ ↓ (Shift: further)', where: 'a node', label: 'Move it (with the rest of the selection)' },
  { keys: 'Delete', where: 'a node', label: 'Delete it' },
  { keys: 'Input from…, Connect', where: 'inspector', label: 'Wire an input: pick an output that fits, then Connect' },
  { keys: '← → Home End', where: 'side panel tabs', label: 'Switch between Inspect, Train and Probe' },
  { keys: 'Tab to ›, Enter', where: 'Probe tab', label: 'Next test image; the prediction follows' },
];

/** Typing in a field must not trigger editor shortcuts (except Escape). */
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}
