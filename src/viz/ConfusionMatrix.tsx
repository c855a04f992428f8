/** The test confusion matrix: rows are true classes, columns predictions; a cell opens its mistakes. */
import { useEffect, useState } from 'react';
import { samples } from '../training/client';
import type { Sample } from '../training/protocol';
import type { TestResult } from '../training/trainer';
import { ImageThumb } from './SampleGrid';
import { requestExplain, showTestImage } from '../editor/probe-store';
import { openSideTab } from '../editor/SidePanel';

/** "Why did it say 2?": the Probe tab shows test image `index` with Grad-CAM for class `predicted`. */
function explainMistake(index: number, predicted: number) {
  showTestImage(index);
  requestExplain(predicted);
  openSideTab('probe');
}

export function ConfusionMatrix({ result, classes }: { result: TestResult; classes: string[] }) {
  const [cell, setCell] = useState<[number, number] | null>(null);
  const [images, setImages] = useState<Sample[]>([]);
  const max = Math.max(1, ...result.confusion.flatMap((row, i) => row.filter((_, j) => j !== i)));
  useEffect(() => {
    if (!cell) return;
    void samples('test', result.misclassified[cell[0]]![cell[1]]!).then(setImages);
  }, [cell, result]);
  // The table always fits the panel's width (fixed layout, equal columns): with many classes the
  // text shrinks, and past 16 the cells keep their colour and tooltip but drop their numbers.
  const nc = classes.length;
  const fontSize = nc <= 10 ? 10 : Math.max(7, Math.round(100 / nc));
  const numbers = nc <= 16;
  return (
    <div className={`ll-confusion${numbers ? '' : ' dense'}`} style={{ ['--cm-font' as string]: `${fontSize}px` }}>
      <table data-testid="confusion-matrix">
        <colgroup>
          <col className="ll-confusion-label" />
          {classes.map((_, j) => (
            <col key={j} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th title="true class ↓ / predicted →">true ↓ pred →</th>
            {classes.map((c, j) => (
              <th key={j} title={`predicted ${c}`}>
                {numbers ? c.slice(0, 3) : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {result.confusion.map((row, i) => (
            <tr key={i}>
              <th title={classes[i]}>{classes[i]}</th>
              {row.map((n, j) => {
                const wrong = i !== j && n > 0;
                const style = i === j ? { background: `rgba(22,163,74,${0.15 + (0.6 * n) / Math.max(1, ...row)})` } : n ? { background: `rgba(180,35,24,${0.1 + (0.7 * n) / max})` } : undefined;
                return (
                  <td key={j} style={style} className={wrong ? 'clickable' : undefined} data-testid={`confusion-${i}-${j}`} title={`${n} ${classes[i]} predicted as ${classes[j]}`}>
                    {wrong ? (
                      <button type="button" onClick={() => setCell([i, j])} aria-label={`${n} ${classes[i]} predicted as ${classes[j]}`}>
                        {numbers ? n : ''}
                      </button>
                    ) : numbers ? (
                      n || ''
                    ) : (
                      ''
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {cell && (
        <div className="ll-mistakes" data-testid="misclassified">
          <p>
            {classes[cell[0]]} predicted as {classes[cell[1]]} ({result.confusion[cell[0]]![cell[1]]}, showing {images.length}):
          </p>
          <div className="ll-sample-grid">
            {images.map((s) => (
              <div key={s.index} className="xp-why-thumb">
                <ImageThumb sample={s} caption={`#${s.index}`} />
                <button
                  type="button"
                  className="xp-why"
                  data-testid="why-button"
                  aria-label={`Why did it say ${classes[cell[1]]} for test image ${s.index}?`}
                  title={`Why did it say ${classes[cell[1]]}? Opens this image in the Probe tab with Grad-CAM: where the network looked for ${classes[cell[1]]}.`}
                  onClick={() => explainMistake(s.index, cell[1])}
                >
                  Why?
                </button>
              </div>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}
