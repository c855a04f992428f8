/** The preset gallery: each example graph with its name, description and a small diagram. */
import { useMemo } from 'react';
import { analyzeGraph } from '../graph/analyze';
import { PRESETS } from '../app/presets';
import { diagramSvg } from './diagram-svg';
import { Modal } from './Modal';

export function PresetGallery({ onPick, onClose }: { onPick(key: string): void; onClose(): void }) {
  const cards = useMemo(
    () =>
      PRESETS.map((p) => {
        if (!p.ok) return { key: p.key, ok: false as const, message: p.message };
        const analysis = analyzeGraph(p.doc);
        const svg = diagramSvg(p.doc, analysis, { thumbnail: true });
        return {
          key: p.key,
          ok: true as const,
          name: p.doc.name,
          description: p.doc.description,
          params: analysis.totals.params,
          nodes: p.doc.nodes.length,
          thumb: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`,
        };
      }),
    [],
  );
  return (
    <Modal title="Presets" onClose={onClose} testid="preset-gallery" wide>
      <p className="ll-muted">Opening a preset replaces the canvas; Undo brings your graph back.</p>
      <div className="ll-gallery">
        {cards.map((c) =>
          c.ok ? (
            <button key={c.key} type="button" className="ll-card" data-testid={`preset-${c.key}`} onClick={() => onPick(c.key)}>
              <img src={c.thumb} alt={`Diagram of ${c.name}`} />
              <span className="ll-card-title">{c.name}</span>
              <span className="ll-card-meta">
                {c.nodes} nodes · {c.params.toLocaleString('en-US')} params
              </span>
              <span className="ll-card-text">{c.description}</span>
            </button>
          ) : (
            <div key={c.key} className="ll-card error">
              {c.key}: {c.message}
            </div>
          ),
        )}
      </div>
    </Modal>
  );
}
