import { useState } from 'preact/hooks';
import type { Schemas } from '../lib/api.js';

export type Box = Schemas['BoxDto'];
export type Tone = 'match' | 'unknown' | 'other';

export interface FaceMark {
  box: Box;
  label: string;
  tone: Tone;
}

/**
 * A photo with its faces outlined. Boxes are in the image's pixels (after EXIF rotation, as the
 * browser also shows it), so the SVG overlay uses the image's natural size as its viewBox and
 * scales with it. Every mark is also listed in the caption: the drawing is not the only way to
 * read the result, and colour never carries meaning alone (each box has its label).
 */
export function FaceFigure(props: FigureProps) {
  // A new photo starts from scratch: its size is unknown until it has loaded.
  return <Figure key={props.src} {...props} />;
}

interface FigureProps {
  src: string;
  alt: string;
  marks: FaceMark[];
  caption?: string;
}

function Figure({ src, alt, marks, caption }: FigureProps) {
  const [size, setSize] = useState<{ width: number; height: number }>();
  const stroke = size ? Math.max(2, Math.round(Math.max(size.width, size.height) / 250)) : 2;
  const font = size ? Math.max(12, Math.round(Math.max(size.width, size.height) / 32)) : 12;
  return (
    <figure class="face-figure">
      <div class="face-stage">
        <img
          src={src}
          alt={alt}
          onLoad={(event) =>
            setSize({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight })
          }
        />
        {size && (
          <svg viewBox={`0 0 ${size.width} ${size.height}`} preserveAspectRatio="none" aria-hidden="true">
            {marks.map((mark, index) => {
              const { x, y, width, height } = mark.box;
              const labelWidth = Math.max(width, mark.label.length * font * 0.6 + font);
              const above = y - font * 1.5 >= 0;
              const labelY = above ? y - font * 1.5 : y + height;
              return (
                <g key={index} class={`mark mark-${mark.tone}`}>
                  <rect class="mark-box" x={x} y={y} width={width} height={height} stroke-width={stroke} />
                  <rect class="mark-label-bg" x={x} y={labelY} width={labelWidth} height={font * 1.5} />
                  <text class="mark-label" x={x + font / 2} y={labelY + font * 1.1} font-size={font}>
                    {mark.label}
                  </text>
                </g>
              );
            })}
          </svg>
        )}
      </div>
      <figcaption>
        {caption && <p>{caption}</p>}
        {marks.length > 0 && (
          <ol class="mark-list">
            {marks.map((mark, index) => (
              <li key={index} class={`mark-item mark-${mark.tone}`}>
                {mark.label}
              </li>
            ))}
          </ol>
        )}
      </figcaption>
    </figure>
  );
}

/** Intersection over union of two boxes: tells the face an answer is about among all detected. */
export function overlap(a: Box, b: Box): number {
  const left = Math.max(a.x, b.x);
  const top = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, right - left) * Math.max(0, bottom - top);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}
