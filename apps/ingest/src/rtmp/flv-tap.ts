import { NmsRtmpSession, nms } from './nms';

/**
 * An in-process FLV "player" attached to a publishing NMS session: NMS writes each
 * FLV tag it builds for HTTP-FLV players to `res.write`, here straight into `onTag`.
 * It must look like an NMS NodeFlvSession (instanceof check, res.cork/uncork,
 * numPlayCache) and be registered in NMS's session map while attached.
 */
export class FlvTap {
  readonly id: string;
  private attached = false;

  constructor(
    private readonly session: NmsRtmpSession,
    onTag: (tag: Buffer) => void,
  ) {
    this.id = `tap-${session.id}`;
    const player = Object.create(nms.flvPlayerPrototype) as Record<string, unknown>;
    Object.assign(player, {
      id: this.id,
      isStarting: true,
      isPlaying: true,
      isIdling: false,
      numPlayCache: 0,
      playStreamPath: session.publishStreamPath,
      res: {
        write: (tag: Buffer, _encoding?: unknown, callback?: () => void) => {
          onTag(tag);
          callback?.();
          return true;
        },
        cork: () => undefined,
        uncork: () => undefined,
        end: () => undefined,
      },
      // NMS calls stop() on non-RTMP players when the publish ends; the tap is detached before that.
      stop: () => this.detach(),
    });
    nms.sessions.set(this.id, player);
    session.players.add(this.id);
    this.attached = true;
  }

  /** Stops receiving tags. Safe to call more than once. */
  detach(): void {
    if (!this.attached) return;
    this.attached = false;
    this.session.players.delete(this.id);
    nms.sessions.delete(this.id);
    nms.idlePlayers.delete(this.id);
  }
}
