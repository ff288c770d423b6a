import { iou } from '../face/box.js';
import type { Box } from '../face/face.types.js';

/** A face found in one sampled frame. */
export interface FrameFace {
  box: Box;
  /** L2-normalised. */
  embedding: Float32Array;
  /** How good a picture of the face this is (the best one represents the track). */
  score: number;
}

export interface TrackerOptions {
  /** Box overlap (IoU) with the track's last box that, with a similar face, continues a track. */
  minIou: number;
  /** Cosine distance within which an overlapping face is the same person. */
  looseDistance: number;
  /** Cosine distance within which a face continues a track wherever it is in the frame. */
  tightDistance: number;
  /** A track not seen for longer than this ends; the person appearing again starts another. */
  maxGapSeconds: number;
}

export interface Track<F extends FrameFace> {
  id: number;
  firstSeen: number;
  lastSeen: number;
  frames: number;
  lastBox: Box;
  best: F;
  bestTime: number;
  /** Sum of the faces' embeddings; normalised, the track's mean direction. */
  sum: Float32Array;
}

/**
 * Links the faces of successive frames into tracks: a face continues a track when its box overlaps
 * the track's last box and its embedding is close to the track's mean, or — a jump in the frame
 * (a cut, fast motion, a low sampling rate) — when its embedding alone is very close. Pairs are
 * assigned greedily, best first (overlap plus similarity), each track and face at most once per
 * frame. Faces left over start new tracks.
 */
export class FaceTracker<F extends FrameFace> {
  private readonly active: Array<Track<F>> = [];
  private readonly ended: Array<Track<F>> = [];
  private nextId = 1;

  constructor(private readonly options: TrackerOptions) {}

  /** Adds one frame's faces; returns, per face, its track and whether it became the track's best. */
  update(time: number, faces: readonly F[]): Array<{ track: Track<F>; isBest: boolean }> {
    this.endStale(time);
    const pairs: Array<{ track: Track<F>; face: number; score: number }> = [];
    for (const track of this.active) {
      const mean = normalised(track.sum);
      faces.forEach((face, index) => {
        const overlap = iou(track.lastBox, face.box);
        const distance = 1 - dot(mean, face.embedding);
        const linked =
          (overlap >= this.options.minIou && distance <= this.options.looseDistance) ||
          distance <= this.options.tightDistance;
        if (linked) pairs.push({ track, face: index, score: overlap + (1 - distance) });
      });
    }
    pairs.sort((a, b) => b.score - a.score);
    const assigned = new Map<number, Track<F>>();
    const usedTracks = new Set<Track<F>>();
    for (const pair of pairs) {
      if (assigned.has(pair.face) || usedTracks.has(pair.track)) continue;
      assigned.set(pair.face, pair.track);
      usedTracks.add(pair.track);
    }
    return faces.map((face, index) => {
      const track = assigned.get(index);
      return track ? this.extend(track, time, face) : { track: this.start(time, face), isBest: true };
    });
  }

  /** Every track, in order of first appearance. */
  finish(): Array<Track<F>> {
    return [...this.ended, ...this.active].sort((a, b) => a.firstSeen - b.firstSeen || a.id - b.id);
  }

  private extend(track: Track<F>, time: number, face: F): { track: Track<F>; isBest: boolean } {
    track.lastSeen = time;
    track.lastBox = face.box;
    track.frames++;
    for (let i = 0; i < track.sum.length; i++) track.sum[i]! += face.embedding[i]!;
    const isBest = face.score > track.best.score;
    if (isBest) [track.best, track.bestTime] = [face, time];
    return { track, isBest };
  }

  private start(time: number, face: F): Track<F> {
    const track: Track<F> = {
      id: this.nextId++,
      firstSeen: time,
      lastSeen: time,
      frames: 1,
      lastBox: face.box,
      best: face,
      bestTime: time,
      sum: Float32Array.from(face.embedding),
    };
    this.active.push(track);
    return track;
  }

  private endStale(time: number): void {
    for (let i = this.active.length - 1; i >= 0; i--) {
      if (time - this.active[i]!.lastSeen > this.options.maxGapSeconds) {
        this.ended.push(...this.active.splice(i, 1));
      }
    }
  }
}

export function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export function normalised(v: Float32Array): Float32Array {
  const norm = Math.sqrt(dot(v, v)) || 1;
  return v.map((x) => x / norm);
}
