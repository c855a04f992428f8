/**
 * A wire on the canvas: Rete's classic connection, drawn dashed and darker when an instructor
 * locked it (graph/locks.ts: marked, or joining two locked nodes), with a tooltip saying so.
 */
import { Presets } from 'rete-react-plugin';
import { isEdgeLocked } from '../../graph/locks';
import { useEditor } from '../store';
import type { LLConnection } from './types';

const lockedStyle = () => 'stroke: #6b5a2e; stroke-dasharray: 10 5;';

export function WireView({ data }: { data: LLConnection }) {
  const locked = useEditor((s) => {
    const e = s.doc.edges.find((x) => x.from[0] === data.source && x.to[0] === data.target && x.to[1] === data.targetInput);
    return !!e && isEdgeLocked(s.doc, e);
  });
  if (!locked) return <Presets.classic.Connection data={data} />;
  return (
    <div className="ll-wire-locked" data-testid="locked-wire" data-wire={`${data.source}->${data.target}.${data.targetInput}`} title="🔒 The instructor locked this wire">
      <Presets.classic.Connection data={data} styles={lockedStyle} />
    </div>
  );
}
