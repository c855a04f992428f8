/**
 * The heatmap colours of "What the network looks at": Google's Turbo colour map (a polynomial fit
 * by Ruofei Du), near black for 0 through blue, green and orange to dark red for 1, and a CSS gradient of
 * it for legends. Pure, no DOM.
 */

const clamp01 = (x: number) => Math.max(0, Math.min(1, x));

/** Turbo at t ∈ [0, 1], as [r, g, b] in 0–255. */
export function turbo(t: number): [number, number, number] {
  const x = clamp01(t);
  const r = 0.13572138 + x * (4.6153926 + x * (-42.66032258 + x * (132.13108234 + x * (-152.94239396 + x * 59.28637943))));
  const g = 0.09140261 + x * (2.19418839 + x * (4.84296658 + x * (-14.18503333 + x * (4.27729857 + x * 2.82956604))));
  const b = 0.1066733 + x * (12.64194608 + x * (-60.58204836 + x * (110.36276771 + x * (-89.90310912 + x * 27.34824973))));
  return [Math.round(clamp01(r) * 255), Math.round(clamp01(g) * 255), Math.round(clamp01(b) * 255)];
}

/** A CSS linear-gradient of Turbo from 0 (left) to 1 (right). */
export function turboGradient(direction = 'to right'): string {
  const stops = Array.from({ length: 11 }, (_, i) => {
    const [r, g, b] = turbo(i / 10);
    return `rgb(${r},${g},${b}) ${i * 10}%`;
  });
  return `linear-gradient(${direction}, ${stops.join(', ')})`;
}

/**
 * Paints an h×w×c image (floats 0–1) and a heatmap (h rows × w, values 0–1) over it into RGBA
 * pixels: the heat's colour with opacity `opacity` × (0.15 + 0.85 v), so where the network did not
 * look the image shows through.
 */
export function overlayPixels(image: Float32Array, shape: readonly number[], heatmap: number[][] | null, opacity: number): Uint8ClampedArray {
  const [h, w, c] = shape as [number, number, number];
  const px = new Uint8ClampedArray(h * w * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const r0 = image[i * c]! * 255;
      const g0 = (c === 3 ? image[i * c + 1]! : image[i * c]!) * 255;
      const b0 = (c === 3 ? image[i * c + 2]! : image[i * c]!) * 255;
      let r = r0;
      let g = g0;
      let b = b0;
      const v = heatmap?.[y]?.[x];
      if (v !== undefined) {
        const [hr, hg, hb] = turbo(v);
        const a = clamp01(opacity) * (0.15 + 0.85 * clamp01(v));
        r = r0 * (1 - a) + hr * a;
        g = g0 * (1 - a) + hg * a;
        b = b0 * (1 - a) + hb * a;
      }
      px[i * 4] = r;
      px[i * 4 + 1] = g;
      px[i * 4 + 2] = b;
      px[i * 4 + 3] = 255;
    }
  }
  return px;
}
