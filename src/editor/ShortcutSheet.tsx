/** The `?` sheet: every keyboard shortcut and mouse gesture. */
import { Modal } from './Modal';
import { SHORTCUTS } from './shortcuts';

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
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.action}>
              <td>
                <kbd>{s.keys}</kbd>
              </td>
              <td>{s.label}</td>
            </tr>
          ))}
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
