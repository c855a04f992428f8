/** Opening, saving, sharing and exporting graphs from the browser. */
import { checkFileSize } from '../graph/parse';
import { checkPictureSize, embedInPng, embedInSvg, graphTextFromPicture, isPictureFile } from '../graph/picture';
import { serializeGraph } from '../graph/serialize';
import { loadAction, loadTextAction } from './actions';
import { diagramSvg, svgToPngBlob } from './diagram-svg';
import { downloadBlob, downloadText, fileBase } from './download';
import { looksLikeModel, openModelFiles } from './model-files';
import { shareUrl } from './share';
import { rootDoc, useEditor } from './store';
import { looksLikeLesson, openLessonText } from '../lessons/session';

/** Opens the graph carried in a PNG or SVG diagram, as a graph file would open (same checks, same messages). */
async function openPicture(file: File): Promise<boolean> {
  const tooBig = checkPictureSize(file.size);
  if (tooBig) return loadAction({ ok: false, message: tooBig }, file.name);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await file.arrayBuffer());
  } catch (e) {
    return loadAction({ ok: false, message: `The file could not be read (${(e as Error).message}).` }, file.name);
  }
  const text = graphTextFromPicture(bytes);
  if (text === undefined) return loadAction({ ok: false, message: 'This file is named like a picture but is neither a PNG nor an SVG.' }, file.name);
  if (typeof text !== 'string') return loadAction({ ok: false, message: text.error }, file.name);
  return loadTextAction(text, file.name);
}

export async function openFile(file: File): Promise<boolean> {
  if (isPictureFile(file.name, file.type)) return openPicture(file);
  const tooBig = checkFileSize(file.size);
  if (tooBig) return loadAction({ ok: false, message: tooBig }, file.name);
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    return loadAction({ ok: false, message: `The file could not be read (${(e as Error).message}).` }, file.name);
  }
  if (looksLikeLesson(text)) return openLessonText(text, file.name);
  return loadTextAction(text, file.name);
}

/**
 * Opens what the user chose or dropped: a trained model (a .zip, or model.json with its weights)
 * or a graph file.
 */
export async function openFiles(files: File[]): Promise<boolean> {
  if (await looksLikeModel(files)) return openModelFiles(files);
  if (files.length > 1) {
    useEditor.getState().setLoadError(`Open one graph file at a time (got ${files.length}), or a trained model: a .zip, or model.json with its weights.`);
    return false;
  }
  return openFile(files[0]!);
}

export function saveFile() {
  const { notify } = useEditor.getState();
  const doc = rootDoc(); // the whole graph, also while a block is open
  const name = `${fileBase(doc.name)}.json`;
  downloadText(serializeGraph(doc), name);
  notify('info', `Saved ${name}`);
}

/** The link that opens the current graph (the graph travels compressed in the #hash). */
export function currentShareUrl(): string {
  return shareUrl(rootDoc(), window.location.href);
}

/** The SVG diagram of what is shown; it carries the whole graph (dropping it back opens the graph). */
export function exportSvg(sizes: Map<string, { width: number; height: number }>) {
  const { doc, analysis } = useEditor.getState();
  const svg = embedInSvg(diagramSvg(doc, analysis, { sizes }), serializeGraph(rootDoc()));
  downloadText(svg, `${fileBase(doc.name)}.svg`, 'image/svg+xml');
}

export async function exportPng(sizes: Map<string, { width: number; height: number }>) {
  const { doc, analysis, notify } = useEditor.getState();
  try {
    const png = await svgToPngBlob(diagramSvg(doc, analysis, { sizes }));
    // The whole graph goes into a text chunk of the PNG the canvas made.
    const withGraph = embedInPng(new Uint8Array(await png.arrayBuffer()), serializeGraph(rootDoc()));
    downloadBlob(new Blob([withGraph], { type: 'image/png' }), `${fileBase(doc.name)}.png`);
  } catch (e) {
    notify('error', `The PNG could not be made: ${(e as Error).message}`);
  }
}
