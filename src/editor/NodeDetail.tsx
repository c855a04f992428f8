/** A node's every channel, large, for the probe image, and a conv node's learned kernels. */
import { useEffect, useState } from 'react';
import { create } from 'zustand';
import { nodeDetail } from '../training/client';
import { useTraining } from '../training/store';
import { LearnedKernels } from './labs/LearnedKernels';
import { NodeWindowView } from './labs/NodeWindow';
import { FavouriteInput } from './labs/FavouriteInput';
import { Modal } from './Modal';

const useDetail = create<{ id: string | null }>(() => ({ id: null }));

export function openNodeDetail(id: string) {
  useDetail.setState({ id });
}

type Detail = Awaited<ReturnType<typeof nodeDetail>>;

/** "16 filters of 5×5 (averaged over 6 input channels)"; a depthwise filter sees one input channel. */
function kernelCaption(k: NonNullable<Detail['kernels']>): string {
  const [kh, kw] = k.size;
  const shown = k.shown < k.filters ? `, the first ${k.shown} shown` : '';
  if (k.type === 'depthwiseConv2d') return `${k.filters} filters of ${kh}×${kw}, each on one input channel${shown}.`;
  return `${k.filters} filters of ${kh}×${kw} (averaged over ${k.averagedOver} input channel${k.averagedOver > 1 ? 's' : ''}${shown}).`;
}

export function NodeDetailModal() {
  const id = useDetail((s) => s.id);
  const version = useTraining((s) => s.mapsVersion);
  const classes = useTraining((s) => s.dataset?.classes);
  const [detail, setDetail] = useState<Detail | null>(null);
  useEffect(() => {
    if (!id) return setDetail(null);
    let live = true;
    void nodeDetail(id).then((d) => live && setDetail(d));
    return () => {
      live = false;
    };
  }, [id, version]);
  if (!id) return null;
  return (
    <Modal title={`What ${id} sees`} onClose={() => useDetail.setState({ id: null })} testid="node-detail" wide>
      {!detail && <p className="ll-muted">Computing…</p>}
      {detail && !detail.map && <p className="ll-muted">Train the model or open the Probe tab first.</p>}
      {detail?.map && (
        <>
          <p className="ll-muted">
            {detail.map.kind === 'grid' ? `${detail.map.shown} of ${detail.map.channels} channels, one scale for the whole node (dark = low, light = high).` : 'Values of this layer for the probe image.'}
          </p>
          <NodeWindowView nodeId={id} map={detail.map} classes={classes} />
        </>
      )}
      {detail?.kernels && (
        <>
          <h3>Learned kernels</h3>
          <p className="ll-muted" data-testid="node-kernels-caption">
            {kernelCaption(detail.kernels)}
          </p>
          <LearnedKernels kernels={detail.kernels} />
        </>
      )}
      <FavouriteInput nodeId={id} />
    </Modal>
  );
}
