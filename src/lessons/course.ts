/**
 * The built-in course: lessons/*.json (bundled as text at build time, like presets/), read with
 * the same parser as a lesson file a user opens, in the order of the lecture.
 */
import { parseLessonText } from './parse';
import type { Lesson } from './types';

export type CourseEntry = { id: string; ok: true; lesson: Lesson } | { id: string; ok: false; message: string };

const files = import.meta.glob<string>('../../lessons/*.json', { eager: true, query: '?raw', import: 'default' });

/** The lecture's order; a lesson file not listed here follows, alphabetically. */
export const COURSE_ORDER = [
  'pixels-and-kernels',
  'dense-mnist',
  'conv-filters',
  'pooling-translation',
  'lenet5',
  'augmentation-rotation',
  'resnet-skips',
  'your-own-images',
  'segmentation',
] as const;

function rank(id: string): number {
  const i = (COURSE_ORDER as readonly string[]).indexOf(id);
  return i < 0 ? COURSE_ORDER.length : i;
}

let parsedCourse: readonly CourseEntry[] | undefined;

/**
 * The course, parsed on first use (not at start-up: the app opens without reading nine lessons
 * unless one is open or the list is shown).
 */
export function courseEntries(): readonly CourseEntry[] {
  parsedCourse ??= Object.entries(files)
    .map(([path, text]): CourseEntry => {
      const id = path.slice(path.lastIndexOf('/') + 1).replace(/\.json$/, '');
      const parsed = parseLessonText(text);
      if (!parsed.ok) return { id, ok: false, message: parsed.message };
      if (parsed.lesson.id !== id) return { id, ok: false, message: `its id is "${parsed.lesson.id}", not the file name "${id}".` };
      return { id, ok: true, lesson: parsed.lesson };
    })
    .sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
  return parsedCourse;
}

export function findCourseLesson(id: string): CourseEntry | undefined {
  return courseEntries().find((c) => c.id === id);
}
