/** The `?` sheet: every keyboard shortcut, the keyboard-only way through the editor, and the mouse gestures. */
import { Modal } from './Modal';
import { FOCUSED_KEYS, SHORTCUTS } from './shortcuts';

const GESTURES: [string, string][] = [
  ['Drag a palette item onto the canvas', 'Add that layer there'],
  ['Double-click the canvas', 'Add a layer at the cursor'],
  ['Right-click the canvas / a node', 'Add a layer / duplicate or delete'],
  ['Drag from an output to an input', 'Connect (refused with a reason if it cannot work)'],
  ['Drop a wire on empty space', 'Add a layer that fits, already connected'],
  ['Drag a wire off an input', 'Disconnect it'],
  ['Ctrl/⌘-click nodes', 'Select several'],
  ['Drag the background / wheel', 'Pan / zoom'],
  ['Drop a .json file on the canvas', 'Open it'],
];

export function ShortcutSheet({ onClose }: { onClose(): void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} testid="shortcut-sheet">
      <table className="ll-shortcuts">
        <caption>Anywhere outside a text field</caption>
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">What they do</th>
          </tr>
        </thead>
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="ll-shortcuts" data-testid="shortcut-keyboard-flow">
        <caption>Keyboard only: add a layer with /, Enter; select and move it on the canvas; wire and set it up in the inspector (I); train (T); probe (P)</caption>
        <thead>
          <tr>
            <th scope="col">Keys</th>
            <th scope="col">Where</th>
            <th scope="col">What they do</th>
          </tr>
        </thead>
        <tbody>
          {FOCUSED_KEYS.map((k) => (
            <tr key={k.keys + k.where}>
              <td>
                <kbd>{k.keys}</kbd>
              </td>
              <td>{k.where}</td>
              <td>{k.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="ll-shortcuts">
        <caption>With the mouse</caption>
        <thead>
          <tr>
            <th scope="col">Gesture</th>
            <th scope="col">What it does</th>
          </tr>
        </thead>
        <tbody>
          {GESTURES.map(([g, what]) => (
            <tr key={g}>
              <td>{g}</td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
