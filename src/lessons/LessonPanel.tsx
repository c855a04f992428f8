/**
 * The Lesson tab: with no lesson open, the built-in course to choose from; with one open, its
 * steps and progress, the current step's text, its goals ticking live (checked against the graph
 * in the editor, the training runs and lab events of this lesson), Previous/Next, "Load this
 * step's graph" and "Share lesson link".
 */
import { useEffect, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Modal } from '../editor/Modal';
import { ShareDialog } from '../editor/ShareDialog';
import { rootAnalysis, rootDoc, useEditor } from '../editor/store';
import { courseEntries } from './course';
import { checkGoal } from './goals';
import { courseLessonUrl, lessonUrl } from './links';
import { Markdown } from './Markdown';
import { closeLesson, goToStep, loadStepGraph, noteMet, openLesson, resetProgress, useLesson } from './session';
import type { Goal, GoalContext, GoalStatus } from './types';
import './lessons.css';

const ICON: Record<GoalStatus['state'], string> = { met: '✓', unmet: '✗', unchecked: '…' };
const STATE_WORDS: Record<GoalStatus['state'], string> = { met: 'met', unmet: 'not met yet', unchecked: 'not checked yet' };

/** A goal's status; a goal the checker cannot handle says so instead of breaking the panel. */
function statusOf(goal: Goal, ctx: GoalContext): GoalStatus {
  try {
    return checkGoal(goal, ctx);
  } catch (e) {
    return { state: 'unchecked', label: goal.label ?? goal.kind, detail: `This goal could not be checked (${(e as Error).message}).` };
  }
}

export function LessonPanel() {
  const lesson = useLesson((s) => s.lesson);
  return lesson ? <OpenLesson /> : <CourseList />;
}

function CourseList() {
  return (
    <section className="ll-lesson" data-testid="lesson-course" aria-labelledby="lesson-course-title">
      <h2 id="lesson-course-title">Lessons</h2>
      <p className="ll-muted">
        A built-in course that follows the lecture, from pixels to segmentation. Each step has goals that tick off as you meet them; your progress stays in this browser. A lesson file from your teacher opens
        with Open… (or drop it on the canvas), a lesson link just by opening it.
      </p>
      <ul className="ll-course">
        {courseEntries().map((c) => (
          <li key={c.id}>
            {c.ok ? (
              <>
                <button type="button" data-testid={`course-open-${c.id}`} onClick={() => openLesson(c.lesson, { course: c.id })}>
                  {c.lesson.title}
                </button>
                <span className="ll-muted ll-course-summary">{c.lesson.summary}</span>
              </>
            ) : (
              <span className="ll-error-text">
                {c.id}: this lesson could not be read ({c.message})
              </span>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function OpenLesson() {
  const { lesson, course, progress } = useLesson(useShallow((s) => ({ lesson: s.lesson!, course: s.course, progress: s.progress })));
  // Goals are about the whole graph, also while a block is open for editing.
  const { doc, analysis } = useEditor(useShallow((s) => ({ doc: rootDoc(s), analysis: rootAnalysis(s) })));
  const [share, setShare] = useState<string | null>(null);
  const index = Math.min(progress.step, lesson.steps.length - 1);
  const step = lesson.steps[index]!;

  const statuses = useMemo(() => {
    const ctx: GoalContext = { doc, analysis, runs: progress.runs, labs: progress.labs };
    return step.goals.map((g) => statusOf(g, ctx));
  }, [step, doc, analysis, progress.runs, progress.labs]);
  const allMet = statuses.length > 0 && statuses.every((s) => s.state === 'met');

  useEffect(() => {
    const met = statuses.flatMap((s, i) => (s.state === 'met' ? [i] : []));
    if (met.length) noteMet(step.id, met, allMet);
  }, [statuses, allMet, step.id]);

  const done = progress.completed.length;
  return (
    <section className="ll-lesson" data-testid="lesson-panel" aria-labelledby="lesson-title">
      <div className="ll-lesson-head">
        <h2 id="lesson-title" data-testid="lesson-title">
          {lesson.title}
        </h2>
        <div className="ll-lesson-actions">
          <button type="button" data-testid="lesson-share" title="A link that opens this lesson" onClick={() => setShare(course ? courseLessonUrl(course, window.location.href) : lessonUrl(lesson, window.location.href))}>
            Share lesson link
          </button>
          <button type="button" data-testid="lesson-close" title="Close this lesson (your progress stays in this browser) and show the course" onClick={closeLesson}>
            Close
          </button>
        </div>
      </div>
      <p className="ll-muted" data-testid="lesson-progress">
        Step {index + 1} of {lesson.steps.length} · {done} of {lesson.steps.length} done
      </p>
      <ol className="ll-lesson-steps" aria-label="Steps">
        {lesson.steps.map((s, i) => {
          const complete = progress.completed.includes(s.id);
          return (
            <li key={s.id}>
              <button
                type="button"
                className={i === index ? 'current' : undefined}
                aria-current={i === index ? 'step' : undefined}
                data-testid={`lesson-step-${i}`}
                data-done={complete}
                onClick={() => goToStep(i)}
              >
                <span aria-hidden="true">{complete ? '✓ ' : ''}</span>
                {s.title}
                {complete && <span className="ll-sr-only"> (done)</span>}
              </button>
            </li>
          );
        })}
      </ol>

      <article className="ll-lesson-step" data-testid="lesson-step" aria-labelledby="lesson-step-title">
        <h3 id="lesson-step-title">{step.title}</h3>
        <Markdown text={step.text} />
        {(step.graph || step.preset) && (
          <p>
            <button type="button" data-testid="lesson-load-graph" title="Opens this step's starting graph; yours stays in the undo history and under Versions" onClick={() => loadStepGraph(step)}>
              Load this step's graph
            </button>
          </p>
        )}
        {step.goals.length > 0 && (
          <>
            <h4>Goals</h4>
            <ul className="ll-goals" data-testid="lesson-goals">
              {statuses.map((s, i) => (
                <li key={i} className={`ll-goal ${s.state}`} data-testid={`lesson-goal-${i}`} data-state={s.state}>
                  <span className="ll-goal-icon" aria-hidden="true">
                    {ICON[s.state]}
                  </span>
                  <span>
                    <span className="ll-goal-label">{s.label}</span>
                    <span className="ll-sr-only"> ({STATE_WORDS[s.state]})</span>
                    {s.detail && <span className="ll-goal-detail"> {s.detail}</span>}
                  </span>
                </li>
              ))}
            </ul>
            <p role="status" className={allMet ? 'll-lesson-done' : 'll-muted'} data-testid="lesson-step-status">
              {allMet ? (index + 1 < lesson.steps.length ? 'All goals met. On to the next step!' : 'All goals met: you have finished this lesson.') : ''}
            </p>
          </>
        )}
      </article>

      <div className="ll-lesson-nav">
        <button type="button" data-testid="lesson-prev" disabled={index === 0} onClick={() => goToStep(index - 1)}>
          ← Previous
        </button>
        <button type="button" data-testid="lesson-next" className={allMet ? 'primary' : undefined} disabled={index + 1 >= lesson.steps.length} onClick={() => goToStep(index + 1)}>
          Next →
        </button>
      </div>
      <p>
        <button
          type="button"
          className="ll-link-button"
          data-testid="lesson-reset"
          onClick={() => {
            if (window.confirm(`Forget your progress in “${lesson.title}”?`)) resetProgress();
          }}
        >
          Start this lesson again
        </button>
      </p>
      {share && (
        <ShareDialog
          url={share}
          onClose={() => setShare(null)}
          title="Share lesson link"
          text="Whoever opens this link gets this lesson, with its steps and goals (it travels inside the link; nothing is uploaded). Their progress stays in their browser."
          label="Lesson link"
          testid="lesson-share-dialog"
          prefix="lesson-share"
        />
      )}
    </section>
  );
}

