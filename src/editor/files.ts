/** Opening, saving, sharing and exporting graphs from the browser. */
import { checkFileSize } from '../graph/parse';
import { serializeGraph } from '../graph/serialize';
import { loadAction, loadTextAction } from './actions';
import { diagramSvg, svgToPngBlob } from './diagram-svg';
import { downloadBlob, downloadText, fileBase } from './download';
import { looksLikeModel, openModelFiles } from './model-files';
import { shareUrl } from './share';
import { useEditor } from './store';

export async function openFile(file: File): Promise<boolean> {
  const tooBig = checkFileSize(file.size);
  if (tooBig) return loadAction({ ok: false, message: tooBig }, file.name);
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    return loadAction({ ok: false, message: `The file could not be read (${(e as Error).message}).` }, file.name);
  }
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
  const { doc, notify } = useEditor.getState();
  const name = `${fileBase(doc.name)}.json`;
  downloadText(serializeGraph(doc), name);
  notify('info', `Saved ${name}`);
}

/** The link that opens the current graph (the graph travels compressed in the #hash). */
export function currentShareUrl(): string {
  return shareUrl(useEditor.getState().doc, window.location.href);
}

export function exportSvg(sizes: Map<string, { width: number; height: number }>) {
  const { doc, analysis } = useEditor.getState();
  downloadText(diagramSvg(doc, analysis, { sizes }), `${fileBase(doc.name)}.svg`, 'image/svg+xml');
}

export async function exportPng(sizes: Map<string, { width: number; height: number }>) {
  const { doc, analysis, notify } = useEditor.getState();
  try {
    downloadBlob(await svgToPngBlob(diagramSvg(doc, analysis, { sizes })), `${fileBase(doc.name)}.png`);
  } catch (e) {
    notify('error', `The PNG could not be made: ${(e as Error).message}`);
  }
}
