import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { AssessedFace, DecodedImage, FaceCrop } from '../face/face.types.js';
import { GalleryModels } from '../gallery/gallery-models.service.js';
import { MatchPolicy } from '../matching/match-policy.js';
import { FaceAnalysisService } from '../pipeline/face-analysis.service.js';
import { storedCrop } from '../pipeline/face-regions.js';
import { ImageIntakeService } from '../pipeline/image-intake.service.js';
import type { VideoAnalysisDto } from './dto/video-analysis.dto.js';
import { FfmpegBinary } from './ffmpeg-binary.js';
import { runFfmpeg } from './ffmpeg-process.js';
import { decodeArguments, frameTime, planSampling, type SamplePlan } from './frame-sampling.js';
import { FaceTracker, type FrameFace } from './face-tracker.js';
import { orderedMap } from './ordered-map.js';
import { TrackIdentifier } from './track-identification.js';
import { ffmpegProblem } from './video-probe.js';
import { VideoInspector } from './video-inspector.js';
import { InvalidVideoError, VideoTimeoutError } from './video.errors.js';

/** A face of a frame as the tracker holds it: its quality, and its crop once it is a track's best. */
export interface VideoFace extends FrameFace {
  face: AssessedFace;
  crop: FaceCrop | null;
}

export interface VideoAnalysisOptions {
  /** Frames per second to analyse; VIDEO_SAMPLE_FPS when absent. */
  sampleFps?: number;
  /** The file's SHA-256, recorded with the faces cached for enrolment. */
  sha256: string;
}

/**
 * Video analysis: probe, decode sampled frames with ffmpeg (streamed, a few frames in memory at a
 * time), detect and embed every face with the serving profile, link faces across frames into
 * tracks, then identify each track against the gallery with the recognise_user rule. The result
 * lists sessions — one per track — with first and last appearance, the best frame and its crop.
 */
@Injectable()
export class VideoAnalysisService {
  constructor(
    private readonly inspector: VideoInspector,
    private readonly ffmpeg: FfmpegBinary,
    private readonly analysis: FaceAnalysisService,
    private readonly intake: ImageIntakeService,
    private readonly gallery: GalleryModels,
    private readonly policy: MatchPolicy,
    private readonly identifier: TrackIdentifier,
    private readonly config: AppConfig,
  ) {}

  /** Analyses a video file; stops (killing ffmpeg) when `signal` aborts or the time limit passes. */
  async analyse(file: string, options: VideoAnalysisOptions, signal: AbortSignal): Promise<VideoAnalysisDto> {
    const { video } = this.config;
    const probe = await this.inspector.inspect(file);
    const plan = planSampling(probe, {
      fps: options.sampleFps ?? video.sampleFps,
      maxFrameSide: video.maxFrameSide,
      maxDurationSeconds: video.maxDurationSeconds,
    });
    const timeout = AbortSignal.timeout(video.timeoutSeconds * 1000);
    const stop = AbortSignal.any([signal, timeout]);
    const models = this.gallery.serving();
    const tracker = new FaceTracker<VideoFace>({
      minIou: 0.3,
      // Where the box overlaps, the 1:1 rule decides whether it is the same face; a face that
      // jumped across the frame must meet the stricter 1:N threshold against the track's mean.
      looseDistance: this.policy.verifyThreshold,
      tightDistance: Math.min(this.policy.threshold, this.policy.verifyThreshold),
      maxGapSeconds: Math.max(1, 2 / plan.fps),
    });
    const ffmpeg = runFfmpeg(
      this.ffmpeg.path(),
      decodeArguments(file, probe.container, plan),
      plan.frameBytes,
      stop,
    );
    let frames = 0;
    let faces = 0;
    try {
      const analysed = orderedMap(ffmpeg.frames, this.config.models.workers, (data) =>
        this.analyseFrame(data, plan, models),
      );
      for await (const { image, found } of analysed) {
        const time = frameTime(frames++, plan.fps);
        faces += found.length;
        const placed = tracker.update(time, found);
        for (const [i, { isBest }] of placed.entries()) {
          if (isBest) found[i]!.crop = await storedCrop(image, found[i]!.box, this.config.crops);
        }
      }
    } catch (error) {
      if (timeout.aborted && !signal.aborted) throw new VideoTimeoutError(video.timeoutSeconds);
      throw error;
    }
    const exit = await ffmpeg.exit;
    if (timeout.aborted && !signal.aborted) throw new VideoTimeoutError(video.timeoutSeconds);
    signal.throwIfAborted();
    if (exit.code !== 0) {
      throw new InvalidVideoError(`The video could not be decoded (${ffmpegProblem(exit.stderr)})`);
    }
    // ffmpeg exits cleanly on a file cut off after its header (WebM especially): nothing decoded.
    if (frames === 0) {
      throw new InvalidVideoError('No frame could be decoded from the video: it is truncated or damaged');
    }
    return {
      video: {
        container: probe.container,
        codec: probe.codec,
        width: probe.width,
        height: probe.height,
        duration_s: probe.durationSeconds,
        fps: probe.fps,
      },
      sample_fps: plan.fps,
      frame_size: `${plan.width}x${plan.height}`,
      frames_analysed: frames,
      faces_detected: faces,
      model: models.embedder.space.key,
      sessions: await this.identifier.sessions(tracker.finish(), options.sha256),
    };
  }

  /** Detects and embeds every face of one frame, within the shared decoding budget. */
  private analyseFrame(data: Uint8Array, plan: SamplePlan, models: ReturnType<GalleryModels['serving']>) {
    const image: DecodedImage = {
      data,
      width: plan.width,
      height: plan.height,
      format: 'video',
      sha256: '',
      byteLength: data.byteLength,
    };
    return this.intake.budget.run(plan.width * plan.height, async () => {
      const result = await this.analysis.analyzeDecoded(image, models);
      const found: VideoFace[] = result.faces.map((face) => ({
        box: face.box,
        embedding: face.embedding,
        score: pictureScore(face),
        face,
        crop: null,
      }));
      return { image, found };
    });
  }
}

/**
 * How well a face shows the person, to pick a track's best frame: detector confidence, size (up
 * to a typical embedder chip), sharpness and how frontal it is, all as factors in [0, 1].
 */
export function pictureScore(face: AssessedFace): number {
  const { quality } = face;
  const size = Math.min(1, quality.faceSize / 112);
  const sharpness = Math.min(1, quality.sharpness / 200);
  const frontal = Math.max(0, 1 - Math.abs(quality.yaw) / 60);
  return quality.detectionScore * (0.2 + 0.8 * size) * (0.5 + 0.5 * sharpness) * (0.3 + 0.7 * frontal);
}
