import { describe, expect, it } from 'vitest';
import { FaceTracker, type FrameFace } from './face-tracker.js';

const options = { minIou: 0.3, looseDistance: 0.5, tightDistance: 0.15, maxGapSeconds: 1 };

/** A unit vector mostly along `axis` (0–3), turned slightly by `wobble`. */
function vector(axis: number, wobble = 0): Float32Array {
  const v = new Float32Array(4);
  v[axis] = Math.cos(wobble);
  v[(axis + 1) % 4] = Math.sin(wobble);
  return v;
}

function face(x: number, axis: number, score = 0.5, wobble = 0): FrameFace {
  return { box: { x, y: 10, width: 50, height: 50 }, embedding: vector(axis, wobble), score };
}

describe('FaceTracker', () => {
  it('follows a face that moves a little from frame to frame, keeping its best picture', () => {
    const tracker = new FaceTracker(options);
    tracker.update(0, [face(0, 0, 0.5)]);
    tracker.update(0.5, [face(10, 0, 0.9, 0.1)]);
    const [step] = tracker.update(1, [face(20, 0, 0.7, 0.2)]);
    expect(step?.isBest).toBe(false);
    const [track] = tracker.finish();
    expect(track).toMatchObject({ id: 1, firstSeen: 0, lastSeen: 1, frames: 3, bestTime: 0.5 });
    expect(track?.best.score).toBe(0.9);
  });

  it('keeps two people apart even when their boxes swap places', () => {
    const tracker = new FaceTracker(options);
    tracker.update(0, [face(0, 0), face(100, 1)]);
    const next = tracker.update(0.5, [face(100, 0), face(0, 1)]);
    expect(next.map((n) => n.track.id)).toEqual([1, 2]);
    expect(tracker.finish()).toHaveLength(2);
  });

  it('does not give an overlapping box of a different face to the track', () => {
    const tracker = new FaceTracker(options);
    tracker.update(0, [face(0, 0)]);
    tracker.update(0.5, [face(0, 2)]);
    expect(tracker.finish().map((t) => t.frames)).toEqual([1, 1]);
  });

  it('ends a track after a gap, so a person seen again starts a new session', () => {
    const tracker = new FaceTracker(options);
    tracker.update(0, [face(0, 0)]);
    tracker.update(0.5, [face(0, 0)]);
    tracker.update(3, [face(0, 0)]);
    const tracks = tracker.finish();
    expect(tracks.map((t) => [t.firstSeen, t.lastSeen])).toEqual([
      [0, 0.5],
      [3, 3],
    ]);
  });

  it('links a face that jumped across the frame when its embedding is very close', () => {
    const tracker = new FaceTracker(options);
    tracker.update(0, [face(0, 0)]);
    tracker.update(0.5, [face(300, 0, 0.5, 0.05)]);
    expect(tracker.finish()).toHaveLength(1);
  });
});
