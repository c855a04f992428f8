/**
 * The test result of a segmentation or a detection network (a classifier's is the confusion
 * matrix): the headline scores (mean IoU and pixel accuracy, or mAP at IoU 0.5), a table per
 * class (IoU, or AP with the boxes and detections counted), and the worst test images as
 * buttons that open the image in the Probe tab, where its mask or boxes are drawn.
 */
import { useEffect, useMemo, useState } from 'react';
import { samples } from '../training/client';
import type { Sample } from '../training/protocol';
import type { TestResult } from '../training/trainer';
import { showTestImage } from '../editor/probe-store';
import { openSideTab } from '../editor/SidePanel';
import { ImageThumb } from './SampleGrid';

/** How many of the worst images are shown (two rows). */
const WORST_SHOWN = 12;

/** Whole percent, for the small captions under the worst images. */
const roundPercent = (x: number): string => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—');

/** 0.4231 → "42.3%"; not a number (nothing to score) → "—". */
export const percent = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(1)}%`);

const TABLE_STYLE = { borderCollapse: 'collapse', fontSize: 12, margin: '6px 0' } as const;

/** Opens test image `index` in the Probe tab. */
function openInProbe(index: number) {
  showTestImage(index);
  openSideTab('probe');
}

function WorstImages({ worst: all, caption, title }: { worst: { index: number; score: number }[]; caption: (score: number) => string; title: string }) {
  const [images, setImages] = useState<Sample[]>([]);
  const worst = useMemo(() => all.slice(0, WORST_SHOWN), [all]);
  useEffect(() => {
    let live = true;
    setImages([]);
    if (worst.length) void samples('test', worst.map((w) => w.index)).then((s) => live && setImages(s)).catch(() => undefined);
    return () => {
      live = false;
    };
  }, [worst]);
  if (!worst.length) return null;
  const byIndex = new Map(images.map((s) => [s.index, s]));
  return (
    <div className="ll-worst">
      <p title={title}>The worst test images (click one to look at it in the Probe tab):</p>
      <ol className="ll-sample-grid ll-worst-list" data-testid="result-worst" style={{ listStyle: 'none', padding: 0, gridTemplateColumns: 'repeat(6, minmax(0, 1fr))' }}>
        {worst.map((w) => {
          const sample = byIndex.get(w.index);
          return (
            <li key={w.index} style={{ minWidth: 0 }}>
              <button
                type="button"
                className="ll-worst-image"
                style={{ padding: 0, border: 'none', background: 'none', cursor: 'pointer', width: '100%' }}
                data-testid="result-worst-image"
                data-index={w.index}
                data-score={w.score}
                aria-label={`Test image ${w.index}, ${caption(w.score)}: open it in the Probe tab`}
                title={`Test image #${w.index}, ${caption(w.score)}. Opens it in the Probe tab.`}
                onClick={() => openInProbe(w.index)}
              >
                {sample ? <ImageThumb sample={sample} caption={caption(w.score)} testid="worst-thumb" /> : <span>#{w.index}</span>}
              </button>
            </li>
          );
        })}
      </ol>
    </div>
  );
}

/** Mean IoU, pixel accuracy, IoU per class and the worst images of a segmentation test. */
function SegmentationResultView({ result, classes, count }: { result: TestResult; classes: string[]; count: number }) {
  const seg = result.segmentation!;
  return (
    <>
      <p>
        Mean IoU <b data-testid="result-miou">{percent(seg.meanIoU)}</b>, pixel accuracy <b data-testid="result-pixel-accuracy">{percent(seg.pixelAccuracy)}</b>, loss{' '}
        {result.loss.toFixed(4)} on {count.toLocaleString('en-US')} images
      </p>
      <p className="ll-muted">
        IoU (intersection over union) of a class: the pixels both the mask and the network call that class, divided by the pixels either calls it. 100% is a perfect outline.
      </p>
      <table className="ll-per-class" data-testid="result-per-class" style={TABLE_STYLE}>
        <thead>
          <tr>
            <th>Class</th>
            <th title="intersection over union of the class's pixels on all test images">IoU</th>
          </tr>
        </thead>
        <tbody>
          {seg.perClassIoU.map((iou, k) => (
            <tr key={k}>
              <th>{classes[k] ?? `class ${k}`}</th>
              <td title={iou === null ? 'in neither the masks nor the predictions' : undefined}>{percent(iou)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <WorstImages worst={seg.worst} caption={(s) => `IoU ${roundPercent(s)}`} title="Ranked by the image's mean IoU, lowest first." />
    </>
  );
}

/** mAP@0.5, AP per class and the worst images of a detection test. */
function DetectionResultView({ result, classes, count }: { result: TestResult; classes: string[]; count: number }) {
  const det = result.detection!;
  const at = det.iouThreshold ?? 0.5;
  return (
    <>
      <p>
        mAP@{at} <b data-testid="result-map">{percent(det.mAP)}</b>, loss {result.loss.toFixed(4)} on {count.toLocaleString('en-US')} images
      </p>
      <p className="ll-muted">
        A box counts as found when it overlaps the true box by at least {at * 100}% (IoU ≥ {at}) and names its class. AP (average precision) of a class is high when its boxes
        are found and few wrong boxes are drawn; mAP is the mean over the classes.
      </p>
      <table className="ll-per-class" data-testid="result-per-class" style={TABLE_STYLE}>
        <thead>
          <tr>
            <th>Class</th>
            <th title={`average precision at IoU ${at}`}>AP</th>
            <th title="objects of this class in the test images">Objects</th>
            <th title="boxes drawn for this class (matched / all)">Found / boxes drawn</th>
          </tr>
        </thead>
        <tbody>
          {det.perClass.map((c, k) => (
            <tr key={k}>
              <th>{classes[k] ?? `class ${k}`}</th>
              <td title={c.ap === null ? 'no object of this class in the test images' : undefined}>{percent(c.ap)}</td>
              <td>{c.truths}</td>
              <td>
                {c.truePositives} / {c.detections}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <WorstImages
        worst={det.worst}
        caption={(s) => `${roundPercent(s)} right`}
        title="Ranked by boxes found divided by (objects + wrong boxes), at IoU 0.5 and score ≥ 0.25, lowest first."
      />
    </>
  );
}

/** The result of a segmentation or detection test; null for a classifier's (shown by the confusion matrix). */
export function TaskResult({ result, classes, count }: { result: TestResult; classes: string[]; count: number }) {
  if (result.segmentation) return <SegmentationResultView result={result} classes={classes} count={count} />;
  if (result.detection) return <DetectionResultView result={result} classes={classes} count={count} />;
  return null;
}
