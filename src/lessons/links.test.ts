/** Lesson links (#lesson=…) and stored progress: both are untrusted input, read without throwing. */
import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { courseEntries } from './course';
import { courseLessonUrl, lessonUrl, readLessonHash } from './links';
import { parseLesson } from './parse';
import { readProgress } from './progress';
import type { Lesson } from './types';

const course = (id: string): Lesson => {
  const c = courseEntries().find((x) => x.id === id);
  if (!c?.ok) throw new Error(`no course lesson ${id}`);
  return c.lesson;
};
const hashOf = (url: string) => url.slice(url.indexOf('#'));
const BASE = 'https://example.org/layerlab/?x=1#graph=old';

describe('lesson links', () => {
  it('carry a whole lesson, graphs included, and read back to the same lesson', () => {
    const lesson = course('dense-mnist');
    const url = lessonUrl(lesson, BASE);
    expect(url.startsWith('https://example.org/layerlab/?x=1#lesson=')).toBe(true);
    // Independent of our reader: lz-string itself unpacks the link to the lesson's JSON.
    expect(JSON.parse(LZString.decompressFromEncodedURIComponent(url.split('#lesson=')[1]!)!)).toEqual(JSON.parse(JSON.stringify(lesson)));
    const read = readLessonHash(hashOf(url));
    expect(read?.ok && read.lesson).toEqual(lesson);
    // Some chat programs percent-encode characters of the link: it still reads.
    const escaped = readLessonHash(hashOf(url).replace(/\$/g, '%24').replace(/\+/g, '%2B'));
    expect(escaped?.ok && escaped.lesson).toEqual(lesson);
  });

  it('name a lesson of the built-in course in a few characters', () => {
    const url = courseLessonUrl('lenet5', BASE);
    expect(url).toBe('https://example.org/layerlab/?x=1#lesson=course:lenet5');
    const read = readLessonHash(hashOf(url));
    expect(read).toMatchObject({ ok: true, course: 'lenet5' });
    expect(read?.ok && read.lesson).toBe(course('lenet5'));
  });

  it('leave other links alone', () => {
    expect(readLessonHash('')).toBeNull();
    expect(readLessonHash('#graph=N4Ig')).toBeNull();
    expect(readLessonHash('#lessons=course:lenet5')).toBeNull();
  });

  it('give a clear message for every broken link, never an exception', () => {
    const lesson = course('resnet-skips');
    const packed = hashOf(lessonUrl(lesson, BASE));
    const cases: [string, RegExp][] = [
      ['#lesson=', /holds no lesson/],
      ['#lesson=course:nope', /no lesson "nope"/],
      ['#lesson=%E0%A4%A', /broken %-escape/],
      [packed.slice(0, Math.floor(packed.length / 2)), /could not be unpacked|copied completely/],
      ['#lesson=' + LZString.compressToEncodedURIComponent('{"format": "layerlab-lesson", '), /not valid JSON/],
      ['#lesson=' + LZString.compressToEncodedURIComponent('{"format":"layerlab-graph"}'), /./],
      ['#lesson=' + LZString.compressToEncodedURIComponent(JSON.stringify({ ...lesson, steps: [{ ...lesson.steps[0], graph: { format: 'layerlab-graph', version: 1, nodes: 'x' } }] })), /./],
      ['#lesson=' + '!'.repeat(50), /could not be unpacked/],
    ];
    for (const [hash, message] of cases) {
      let read: ReturnType<typeof readLessonHash> = null;
      expect(() => (read = readLessonHash(hash)), hash.slice(0, 40)).not.toThrow();
      expect(read, hash.slice(0, 40)).toMatchObject({ ok: false });
      expect((read as unknown as { message: string }).message, hash.slice(0, 40)).toMatch(message);
    }
    // What the parser says about a foreign document is what the link says.
    const foreign = { format: 'layerlab-graph' };
    const viaLink = readLessonHash('#lesson=' + LZString.compressToEncodedURIComponent(JSON.stringify(foreign)));
    expect(viaLink).toEqual(parseLesson(foreign));
  });

  it('refuse a link longer than any real one before unpacking it', () => {
    const read = readLessonHash('#lesson=' + 'A'.repeat(5 * 1024 * 1024));
    expect(read).toMatchObject({ ok: false });
    expect(read && !read.ok && read.message).toMatch(/too long/);
  });
});

describe('stored progress', () => {
  const lesson = course('dense-mnist');
  const [s0, s1] = lesson.steps;

  it('reads back what was stored', () => {
    const stored = {
      step: 2,
      completed: [s0!.id],
      met: { [s0!.id]: [0, 1, 2, 3], [s1!.id]: [0] },
      runs: [{ dataset: 'mnist', epochs: 2, testAccuracy: 0.95, at: 5 }],
      labs: [{ kind: 'sweep', transform: 'rotate', at: 7 }, { kind: 'kernel', kernel: [[0, 1], [1, 0]], at: 8 }],
    };
    expect(readProgress(lesson, JSON.parse(JSON.stringify(stored)))).toEqual(stored);
  });

  it('drops whatever does not fit the lesson or the format', () => {
    const p = readProgress(lesson, {
      step: 99,
      completed: ['nope', s1!.id, 3],
      // As JSON.parse reads it from storage: "__proto__" is then an own key, not the prototype.
      met: JSON.parse(`{"nope": [0], "${s0!.id}": [0, 0, 7, -1, 1.5, "x", 2], "__proto__": [1]}`),
      runs: [{ dataset: 'mnist', epochs: 'two', at: 1 }, { dataset: 'mnist', epochs: 1, at: 2, testAccuracy: 0.9, extra: '<script>' }, null],
      labs: [{ kind: 'hack', at: 1 }, { kind: 'kernel', kernel: [[1, 'x']], at: 2 }, { kind: 'sweep', transform: 5, at: 3 }, { kind: 'camera', at: 4 }],
    });
    expect(p).toEqual({ step: 0, completed: [s1!.id], met: { [s0!.id]: [0, 2] }, runs: [{ dataset: 'mnist', epochs: 1, at: 2, testAccuracy: 0.9 }], labs: [{ kind: 'camera', at: 4 }] });
    expect(Object.getPrototypeOf(p.met)).toBe(Object.prototype);
    for (const junk of [null, 'text', 42, [], { step: -1 }]) expect(readProgress(lesson, junk)).toEqual({ step: 0, completed: [], met: {}, runs: [], labs: [] });
  });
});
