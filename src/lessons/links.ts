/**
 * Lesson links: `#lesson=course:<id>` opens a lesson of the built-in course; `#lesson=<lz-string>`
 * carries a whole lesson, compressed like a graph link (src/editor/share.ts). A link is untrusted
 * input: it is unpacked with an output budget and read by parseLesson, and every problem becomes a
 * clear message (the current graph stays). Never throws.
 */
import LZString from 'lz-string';
import { decompressFromLink, MAX_SHARE_HASH } from '../editor/share';
import { findCourseLesson } from './course';
import { LESSON_LIMITS, parseLesson, type LessonParseResult } from './parse';
import type { Lesson } from './types';

export const LESSON_PARAM = 'lesson';
export const COURSE_PREFIX = 'course:';

export type LessonLink = (LessonParseResult & { course?: undefined }) | { ok: true; lesson: Lesson; course: string };

function withoutHash(base: string): string {
  const at = base.indexOf('#');
  return at < 0 ? base : base.slice(0, at);
}

/** A link that carries the whole lesson. */
export function lessonUrl(lesson: Lesson, base: string): string {
  return `${withoutHash(base)}#${LESSON_PARAM}=${LZString.compressToEncodedURIComponent(JSON.stringify(lesson))}`;
}

/** A short link to a lesson of the built-in course. */
export function courseLessonUrl(id: string, base: string): string {
  return `${withoutHash(base)}#${LESSON_PARAM}=${COURSE_PREFIX}${encodeURIComponent(id)}`;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
const damaged = (why: string): LessonLink => ({ ok: false, message: `The lesson link is damaged or incomplete: ${why}` });

/** Null when the hash has no `lesson=` parameter; otherwise the lesson or a message for people. */
export function readLessonHash(hash: string): LessonLink | null {
  if (hash.length > MAX_SHARE_HASH) return { ok: false, message: `The lesson link is too long (${mb(hash.length)}); links hold at most ${mb(MAX_SHARE_HASH)}.` };
  const prefix = `${LESSON_PARAM}=`;
  const param = hash.replace(/^#/, '').split('&').find((p) => p.startsWith(prefix));
  if (param === undefined) return null;
  let packed = param.slice(prefix.length);
  if (!packed) return damaged('it holds no lesson.');
  if (packed.includes('%')) {
    try {
      packed = decodeURIComponent(packed);
    } catch {
      return damaged('it contains a broken %-escape.');
    }
  }
  if (packed.startsWith(COURSE_PREFIX)) {
    const id = packed.slice(COURSE_PREFIX.length);
    const entry = findCourseLesson(id);
    if (!entry) return { ok: false, message: `The built-in course has no lesson "${id.slice(0, 80)}".` };
    if (!entry.ok) return { ok: false, message: `The built-in lesson "${id}" could not be read: ${entry.message}` };
    return { ok: true, lesson: entry.lesson, course: entry.id };
  }
  const unpacked = decompressFromLink(packed, LESSON_LIMITS.maxFileBytes);
  if (unpacked === 'too-large') return { ok: false, message: `The lesson is over ${mb(LESSON_LIMITS.maxFileBytes)} once unpacked; lessons are at most ${mb(LESSON_LIMITS.maxFileBytes)}.` };
  if (unpacked === null || unpacked === '') return damaged('its lesson could not be unpacked. Was it copied completely?');
  let json: unknown;
  try {
    json = JSON.parse(unpacked);
  } catch {
    return damaged('its lesson is not valid JSON. Was it copied completely?');
  }
  return parseLesson(json);
}
