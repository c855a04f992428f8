/**
 * The segmentation and detection result views, rendered as the Train tab renders them: the
 * headline scores, one table row per class (— where a class has no score), the worst images.
 * The scores come from the metric code itself (SegmentationAccumulator, evaluateDetections) on
 * small hand-made cases, so the view is checked against independently known numbers.
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { evaluateDetections, SegmentationAccumulator } from '../tasks/metrics';
import type { TestResult } from '../training/trainer';
import { percent, TaskResult } from './TaskResult';

/** The text of every cell of the per-class table, row by row. */
function tableRows(html: string): string[][] {
  const body = html.slice(html.indexOf('data-testid="result-per-class"'));
  const tbody = body.slice(body.indexOf('<tbody>'), body.indexOf('</tbody>'));
  return [...tbody.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) => [...r[1]!.matchAll(/<t[hd][^>]*>(.*?)<\/t[hd]>/g)].map((c) => c[1]!.replace(/<!-- -->/g, '')));
}
const testid = (html: string, id: string) => html.match(new RegExp(`data-testid="${id}"[^>]*>([^<]*)<`))?.[1];

describe('TaskResult', () => {
  it('shows mean IoU, pixel accuracy and IoU per class for segmentation, — for a class that is nowhere', () => {
    // 4 pixels, 3 classes; class 2 is in neither the truth nor the prediction.
    const acc = new SegmentationAccumulator(3);
    acc.add(new Uint8Array([0, 0, 1, 1]), new Uint8Array([0, 1, 1, 1]));
    const r = acc.result();
    // Class 0: 1 pixel both, 2 either → 50%; class 1: 2 both, 3 either → 66.7%; pixel accuracy 3/4.
    expect(r.perClassIoU).toEqual([0.5, 2 / 3, null]);
    const result: TestResult = { loss: 0.25, accuracy: r.pixelAccuracy, confusion: [], misclassified: [], task: 'segmentation', segmentation: { ...r, worst: [{ index: 7, score: 0.1 }] } };
    const html = renderToStaticMarkup(createElement(TaskResult, { result, classes: ['background', 'circle', 'square'], count: 1 }));
    expect(testid(html, 'result-miou')).toBe('58.3%');
    expect(testid(html, 'result-pixel-accuracy')).toBe('75.0%');
    expect(tableRows(html)).toEqual([
      ['background', '50.0%'],
      ['circle', '66.7%'],
      ['square', '—'],
    ]);
    expect(html).toContain('data-testid="result-worst"');
    expect(html).toContain('data-index="7"');
    expect(html).not.toContain('result-map');
  });

  it('shows mAP@0.5 and AP per class for detection', () => {
    // Class 0: one box, found; class 1: one box, missed (a detection elsewhere); class 2: no box.
    const r = evaluateDetections(
      [
        {
          truths: [
            { class: 0, x: 0, y: 0, w: 10, h: 10 },
            { class: 1, x: 20, y: 20, w: 10, h: 10 },
          ],
          detections: [
            { class: 0, score: 0.9, x: 0, y: 0, w: 10, h: 10 },
            { class: 1, score: 0.8, x: 0, y: 20, w: 5, h: 5 },
          ],
        },
      ],
      3,
      0.5,
    );
    expect(r.perClass.map((c) => c.ap)).toEqual([1, 0, null]);
    const result: TestResult = { loss: 1.5, accuracy: r.mAP, confusion: [], misclassified: [], task: 'detection', detection: { ...r, worst: [] } };
    const html = renderToStaticMarkup(createElement(TaskResult, { result, classes: ['circle', 'square', 'cross'], count: 1 }));
    expect(testid(html, 'result-map')).toBe('50.0%');
    expect(tableRows(html)).toEqual([
      ['circle', '100.0%', '1', '1 / 1'],
      ['square', '0.0%', '1', '0 / 1'],
      ['cross', '—', '0', '0 / 0'],
    ]);
    expect(html).not.toContain('data-testid="result-worst"');
  });

  it('shows nothing for a classifier (the confusion matrix does)', () => {
    const result: TestResult = { loss: 1, accuracy: 0.5, confusion: [[1]], misclassified: [[[]]], task: 'classification' };
    expect(renderToStaticMarkup(createElement(TaskResult, { result, classes: ['a'], count: 1 }))).toBe('');
    expect(percent(NaN)).toBe('—');
    expect(percent(0.12345)).toBe('12.3%');
  });
});
