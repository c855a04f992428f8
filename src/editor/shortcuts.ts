/** The keyboard shortcuts: one table drives both the handler and the `?` sheet. */
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
  | 'escape';

export interface Shortcut {
  action: ShortcutAction;
  keys: string;
  label: string;
  match(e: KeyboardEvent): boolean;
}

const mod = (e: KeyboardEvent) => e.ctrlKey || e.metaKey;
const key = (e: KeyboardEvent) => e.key.toLowerCase();

export const SHORTCUTS: readonly Shortcut[] = [
  { action: 'undo', keys: 'Ctrl/⌘ Z', label: 'Undo', match: (e) => mod(e) && !e.shiftKey && key(e) === 'z' },
  { action: 'redo', keys: 'Ctrl/⌘ Shift Z, Ctrl Y', label: 'Redo', match: (e) => mod(e) && ((e.shiftKey && key(e) === 'z') || key(e) === 'y') },
  { action: 'delete', keys: 'Delete, Backspace', label: 'Delete the selected nodes', match: (e) => !mod(e) && (e.key === 'Delete' || e.key === 'Backspace') },
  { action: 'copy', keys: 'Ctrl/⌘ C', label: 'Copy the selected nodes', match: (e) => mod(e) && key(e) === 'c' },
  { action: 'paste', keys: 'Ctrl/⌘ V', label: 'Paste', match: (e) => mod(e) && key(e) === 'v' },
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
];

/** Typing in a field must not trigger editor shortcuts (except Escape). */
export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  if (!t) return false;
  return t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName);
}
