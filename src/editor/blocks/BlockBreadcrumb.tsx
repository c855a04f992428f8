/**
 * Shown on the canvas while a block is open: "Graph › Bottleneck (res2a)". Clicking "Graph" (or
 * Esc) goes back to the whole graph; edits made inside change every use of the block.
 */
import { useEditor } from '../store';
import { scopeName } from './scope';

export function BlockBreadcrumb() {
  const scope = useEditor((s) => s.scope);
  const leave = useEditor((s) => s.leaveBlock);
  if (!scope) return null;
  const name = scopeName(scope);
  return (
    <nav className="ll-breadcrumb" aria-label="Where you are" data-testid="block-breadcrumb" data-canvas-overlay onPointerDown={(e) => e.stopPropagation()} onDoubleClick={(e) => e.stopPropagation()}>
      <button type="button" data-testid="block-leave" title="Back to the whole graph (Esc)" onClick={() => leave()}>
        Graph
      </button>
      <span aria-hidden="true">›</span>
      <strong data-testid="block-breadcrumb-name">
        {name}
        {scope.instanceId ? ` (${scope.instanceId})` : ''}
      </strong>
      <span className="ll-muted" title="Every use of this block changes with what you edit here">
        editing the block: every use changes
      </span>
    </nav>
  );
}
