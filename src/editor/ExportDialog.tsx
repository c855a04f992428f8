/**
 * "Export model": the trained model as TensorFlow.js files (one zip, or model.json + weights.bin),
 * Keras code, PyTorch code with its weights, or an ONNX model (which can then be run once in ONNX
 * Runtime here and compared with TensorFlow.js); and "Open a trained model" to get a graph back with
 * its weights. Says which weights go out (trained, loaded, or untrained).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { describeOnnxCheck, onnxLayout } from '../export/onnx-check';
import { analyzeGraph } from '../graph';
import { describeWeightsOrigin } from '../model/weights';
import { weightsOrigin } from '../training/client';
import { useTraining } from '../training/store';
import { Modal } from './Modal';
import { exportModel, exportOnnx, openModelFiles, type ExportRoute, type OnnxExport } from './model-files';
import { rootDoc, useEditor } from './store';

const ROUTES: { route: ExportRoute; label: string; what: string; run: string }[] = [
  {
    route: 'tfjs-zip',
    label: 'TensorFlow.js model (.zip)',
    what: 'model.json + weights.bin + graph.json in one zip. Open it here again to get the graph and its weights back.',
    run: "tf.loadLayersModel('…/model.json') in a web page or Node",
  },
  {
    route: 'tfjs-files',
    label: 'TensorFlow.js files',
    what: 'model.json and weights.bin as two downloads (model.json also carries the graph).',
    run: "tf.loadLayersModel('…/model.json')",
  },
  {
    route: 'pytorch',
    label: 'PyTorch code + weights (.zip)',
    what: 'model.py (an nn.Module with load_model()), train.py (one machine or torchrun with DistributedDataParallel) and model.safetensors.',
    run: 'python train.py --data DIR, or torchrun --nproc_per_node=N train.py --data DIR',
  },
  {
    route: 'onnx',
    label: 'ONNX model (.onnx)',
    what: "model.onnx: the network and its weights as one ONNX model, for ONNX Runtime, TensorRT, OpenVINO or Netron. Each operator is named after its node's id, and the graph file travels in the model's metadata.",
    run: "onnxruntime's InferenceSession (Python or JavaScript); Netron draws it",
  },
  {
    route: 'keras',
    label: 'Keras code (.py)',
    what: 'The graph as a Keras functional model (layer names = node ids) with its training settings.',
    run: 'python the-downloaded-file.py (with TensorFlow 2 installed)',
  },
];

export function ExportDialog({ onClose }: { onClose(): void }) {
  // The whole graph, also while a block is open (the canvas' analysis is then the block's).
  const { doc, viewOk, inBlock } = useEditor(useShallow((s) => ({ doc: rootDoc(s), viewOk: s.analysis.ok, inBlock: !!s.scope })));
  const ok = useMemo(() => (inBlock ? analyzeGraph(doc).ok : viewOk), [doc, inBlock, viewOk]);
  const phase = useTraining((s) => s.phase);
  const busyTraining = phase === 'training' || phase === 'evaluating' || phase === 'loading';
  const [origin, setOrigin] = useState<string | null>(null);
  const [working, setWorking] = useState<ExportRoute | 'open' | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onnx, setOnnx] = useState<OnnxExport | null>(null);
  const [onnxCheck, setOnnxCheck] = useState<{ ok: boolean; text: string } | 'running' | null>(null);
  const input = useRef<HTMLInputElement>(null);
  /** The ONNX model's input and output layout for this graph ("N×1×28×28", "N×10"). */
  const layout = useMemo(() => {
    if (!ok) return null;
    const a = analyzeGraph(doc);
    const i = a.inputId ? a.nodes.get(a.inputId)?.outputShape : undefined;
    const o = a.outputId ? a.nodes.get(a.outputId)?.outputShape : undefined;
    return i && o ? { input: onnxLayout(i), output: onnxLayout(o) } : null;
  }, [doc, ok]);

  useEffect(() => {
    if (!ok) return;
    let live = true;
    void weightsOrigin(doc).then(
      (o) => live && setOrigin(describeWeightsOrigin(o)),
      () => live && setOrigin(null),
    );
    return () => {
      live = false;
    };
  }, [doc, ok, phase]);

  const run = async (route: ExportRoute) => {
    setWorking(route);
    setError(null);
    setDone(null);
    if (route === 'onnx') {
      setOnnx(null);
      setOnnxCheck(null);
    }
    try {
      let which: string;
      if (route === 'onnx') {
        const exported = await exportOnnx(doc);
        setOnnx(exported);
        which = exported.which;
      } else which = await exportModel(route, doc);
      setDone(`${ROUTES.find((r) => r.route === route)!.label}: downloaded (${which}).`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setWorking(null);
    }
  };

  const checkOnnx = async () => {
    if (!onnx) return;
    setOnnxCheck('running');
    try {
      const c = await onnx.check();
      setOnnxCheck({ ok: c.ok, text: describeOnnxCheck(c) });
    } catch (e) {
      setOnnxCheck({ ok: false, text: `ONNX Runtime could not run the file: ${(e as Error).message}` });
    }
  };

  return (
    <Modal title="Export the model" onClose={onClose} testid="export-dialog" wide>
      {!ok ? (
        <p className="ll-error" data-testid="export-blocked">
          Fix the graph's errors first: only a complete graph can be exported.
        </p>
      ) : (
        <>
          <p data-testid="export-weights">
            Weights: <b>{origin ?? '…'}</b>
            {busyTraining && ' — training is running: pause or stop it to export.'}
          </p>
          <ul className="ll-export-routes">
            {ROUTES.map((r) => (
              <li key={r.route}>
                <button
                  type="button"
                  data-testid={`export-${r.route}`}
                  disabled={!!working || (busyTraining && r.route !== 'keras')}
                  onClick={() => void run(r.route)}
                >
                  {working === r.route ? 'Preparing…' : r.label}
                </button>
                <span>
                  {r.what}
                  {r.route === 'onnx' && (
                    <>
                      {' '}
                      <span data-testid="export-onnx-layout">
                        Input "input": float32 <b>{layout?.input ?? 'N×C×H×W'}</b> (N×C×H×W: channels first, unlike TensorFlow.js' N×H×W×C; pixels 0–1); output "output": <b>{layout?.output ?? '?'}</b>.
                      </span>
                    </>
                  )}{' '}
                  <span className="ll-muted">Runs with: {r.run}.</span>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
      <h3>Open a trained model</h3>
      <p>
        <button type="button" data-testid="export-open" disabled={!!working} onClick={() => input.current?.click()}>
          Open model files…
        </button>{' '}
        <span className="ll-muted">a LayerLab .zip, or model.json with its weights file(s); you can also drop them on the canvas.</span>
      </p>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept=".zip,.json,.bin,application/zip,application/json"
        data-testid="open-model-files"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (!files.length) return;
          setWorking('open');
          setError(null);
          void openModelFiles(files).then((opened) => {
            setWorking(null);
            if (opened) onClose();
            else setError(useEditor.getState().loadError);
          });
        }}
      />
      {done && (
        <p className="ll-muted" role="status" data-testid="export-done">
          {done}
        </p>
      )}
      {onnx && (
        <p data-testid="export-onnx-check-row">
          <button type="button" data-testid="export-onnx-check" disabled={onnxCheck === 'running' || !!working} onClick={() => void checkOnnx()}>
            {onnxCheck === 'running' ? 'Running ONNX Runtime…' : 'Check in ONNX Runtime'}
          </button>{' '}
          {onnxCheck && onnxCheck !== 'running' ? (
            <span className={onnxCheck.ok ? undefined : 'll-error'} role={onnxCheck.ok ? 'status' : 'alert'} data-testid="export-onnx-result" data-ok={onnxCheck.ok}>
              {onnxCheck.text}
            </span>
          ) : (
            <span className="ll-muted">runs the downloaded file once in ONNX Runtime (WebAssembly, loaded now) on 4 random images and compares its outputs with TensorFlow.js'.</span>
          )}
        </p>
      )}
      {error && (
        <p className="ll-error" role="alert" data-testid="export-error">
          {error}
        </p>
      )}
    </Modal>
  );
}
