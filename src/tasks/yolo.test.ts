import { describe, expect, it } from 'vitest';
import { parseClassNames, parseYoloLabels, textLines, yoloBoxesToTruths } from './yolo.ts';

describe('YOLO label files', () => {
  it('reads good lines, with blank lines, tabs, trailing spaces, CRLF and a BOM', () => {
    const text = '\uFEFF0 0.5 0.5 0.2 0.4\r\n\r\n  2\t0.25 0.75   0.1 0.1  \r\n1 0.5 0.5 1 1\r\n';
    const r = parseYoloLabels(text, 'labels/a.txt', 3);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.boxes).toEqual([
      { class: 0, cx: 0.5, cy: 0.5, w: 0.2, h: 0.4, line: 1 },
      { class: 2, cx: 0.25, cy: 0.75, w: 0.1, h: 0.1, line: 3 },
      { class: 1, cx: 0.5, cy: 0.5, w: 1, h: 1, line: 4 },
    ]);
  });

  it('turns label boxes into pixel boxes', () => {
    // 200×100 image: cx 0.5 → 100, w 0.2 → 40, x = 80; cy 0.5 → 50, h 0.4 → 40, y = 30
    const { boxes } = parseYoloLabels('1 0.5 0.5 0.2 0.4', 'a.txt');
    expect(yoloBoxesToTruths(boxes, 200, 100)).toEqual([{ x: 80, y: 30, w: 40, h: 40, class: 1 }]);
  });

  it('reads an empty file as an image with no objects', () => {
    expect(parseYoloLabels('', 'labels/empty.txt')).toEqual({ boxes: [], errors: [], warnings: [] });
    expect(parseYoloLabels('\n  \n', 'labels/empty.txt').boxes).toEqual([]);
  });

  it('accepts a class written 3.0 and any class when the classes are unknown', () => {
    const r = parseYoloLabels('3.0 0.5 0.5 0.1 0.1\n17 .5 5e-1 0.1 0.1', 'l.txt');
    expect(r.errors).toEqual([]);
    expect(r.boxes.map((b) => [b.class, b.cx, b.cy])).toEqual([
      [3, 0.5, 0.5],
      [17, 0.5, 0.5],
    ]);
  });

  it('clips a box reaching outside the image and says so', () => {
    // cx 0.95, w 0.2 → x from 0.85 to 1.05, clipped to 0.85..1 → cx 0.925, w 0.15
    // cy 0.05, h 0.3 → y from −0.1 to 0.2, clipped to 0..0.2 → cy 0.1, h 0.2
    const r = parseYoloLabels('0 0.95 0.05 0.2 0.3\n0 0.5 0.5 0.2 0.2', 'labels/edge.txt');
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual(['labels/edge.txt line 1: the box reaches outside the image; it was clipped to the image\'s edge.']);
    expect(r.boxes[0]!.cx).toBeCloseTo(0.925, 12);
    expect(r.boxes[0]!.w).toBeCloseTo(0.15, 12);
    expect(r.boxes[0]!.cy).toBeCloseTo(0.1, 12);
    expect(r.boxes[0]!.h).toBeCloseTo(0.2, 12);
    expect(r.boxes[1]).toEqual({ class: 0, cx: 0.5, cy: 0.5, w: 0.2, h: 0.2, line: 2 });
  });

  // A corpus of broken files and the exact messages they give.
  const corpus: { name: string; text: string; classes?: number; errors: string[]; good: number }[] = [
    {
      name: 'too few values',
      text: '0 0.5 0.5 0.2\n',
      errors: ['f.txt line 1: expected 5 values "class cx cy w h", found 4.'],
      good: 0,
    },
    {
      name: 'a polygon',
      text: '0 0.1 0.1 0.2 0.1 0.2 0.2 0.1 0.2\n',
      errors: ['f.txt line 1: expected 5 values "class cx cy w h", found 9. This looks like a polygon (YOLO segmentation format); LayerLab reads boxes only.'],
      good: 0,
    },
    {
      name: 'a confidence column',
      text: '0 0.5 0.5 0.2 0.2 0.93',
      errors: ['f.txt line 1: expected 5 values "class cx cy w h", found 6. A sixth value is usually a confidence score from a model\'s output; label files have none.'],
      good: 0,
    },
    {
      name: 'not numbers, a decimal comma',
      text: '0 0.5 0.5 0.2 0.2\ncat 0.5 0.5 0.2 0.2\r\n0 0,5 0.5 0.2 0.2\n0 0.5 NaN 0.2 0x10\n',
      errors: [
        'f.txt line 2: the class "cat" is not a number.',
        'f.txt line 3: the x centre (cx) "0,5" is not a number. Write decimals with a point: 0.5.',
        'f.txt line 4: the y centre (cy) "NaN" is not a number.',
        'f.txt line 4: the height (h) "0x10" is not a number.',
      ],
      good: 1,
    },
    {
      name: 'pixel coordinates',
      text: '0 320 240 64 48',
      errors: [
        "f.txt line 1: the x centre (cx) 320 is outside [0, 1]. YOLO labels give positions and sizes as fractions of the image's width (a width of 640 pixels: 128 → 0.2).",
        "f.txt line 1: the y centre (cy) 240 is outside [0, 1]. YOLO labels give positions and sizes as fractions of the image's height (a height of 640 pixels: 128 → 0.2).",
        "f.txt line 1: the width (w) 64 is outside [0, 1]. YOLO labels give positions and sizes as fractions of the image's width (a width of 640 pixels: 128 → 0.2).",
        "f.txt line 1: the height (h) 48 is outside [0, 1]. YOLO labels give positions and sizes as fractions of the image's height (a height of 640 pixels: 128 → 0.2).",
      ],
      good: 0,
    },
    {
      name: 'negative and zero sizes',
      text: '0 -0.1 0.5 0.2 0.2\n\n0 0.5 0.5 0 0.2\n',
      errors: [
        'f.txt line 1: the x centre (cx) -0.1 is outside [0, 1].',
        'f.txt line 3: the box has no area (width 0, height 0.2); both must be greater than 0.',
      ],
      good: 0,
    },
    {
      name: 'bad classes',
      text: '1.5 0.5 0.5 0.2 0.2\n-1 0.5 0.5 0.2 0.2\n3 0.5 0.5 0.2 0.2\n2 0.5 0.5 0.2 0.2\n',
      classes: 3,
      errors: [
        'f.txt line 1: the class must be a whole number 0, 1, 2…, not 1.5.',
        'f.txt line 2: the class must be a whole number 0, 1, 2…, not -1.',
        'f.txt line 3: class 3 is unknown: classes.txt names 3 classes, so the class must be from 0 to 2.',
      ],
      good: 1,
    },
    {
      name: 'one class only',
      text: '1 0.5 0.5 0.2 0.2',
      classes: 1,
      errors: ['f.txt line 1: class 1 is unknown: classes.txt names 1 class, so the class must be from 0 to 0.'],
      good: 0,
    },
  ];
  for (const c of corpus) {
    it(`reports ${c.name}`, () => {
      const r = parseYoloLabels(c.text, 'f.txt', c.classes);
      expect(r.errors).toEqual(c.errors);
      expect(r.boxes.length).toBe(c.good);
    });
  }
});

describe('classes.txt', () => {
  it('reads names in order, trimmed, skipping blank lines', () => {
    expect(parseClassNames('\uFEFFcat\r\n\r\n  dog  \n\tred fox\n\n')).toEqual({ classes: ['cat', 'dog', 'red fox'], errors: [] });
  });

  it('refuses duplicates and empty files', () => {
    expect(parseClassNames('cat\ndog\n cat\nDog\n')).toEqual({
      classes: ['cat', 'dog', 'Dog'],
      errors: ['classes.txt line 3: "cat" is already named on line 1; each class must have its own name.'],
    });
    expect(parseClassNames('\n \n', 'data/classes.txt').errors).toEqual([
      'data/classes.txt names no classes: write one class name per line, in the order of their indices (0 first).',
    ]);
  });

  it('splits lines on any line end', () => {
    expect(textLines('a\r\nb\rc\nd')).toEqual(['a', 'b', 'c', 'd']);
  });
});
