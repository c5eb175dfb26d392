import { readFileSync } from 'node:fs';
import { flvFileTags, flvTagTimestamp } from '../../apps/ingest/src/rtmp/flv';
import { FlvSegmenter } from '../../apps/ingest/src/rtmp/flv-segmenter';

/**
 * CPU of ingest's in-process segmenting alone (FLV tags -> MPEG-TS segments, as a publish does it,
 * draining every 64 KiB), in this process: ms of CPU per second of media, the median of `rounds`
 * passes over the file after `warmUp` passes (a live ingest runs the muxer's code compiled hot). No disk, network or RTMP: the muxer's own share.
 */
export function segmentingCpuMsPerMediaSecond(flvFile: string, rounds = 5, warmUp = 5): number {
  const tags = flvFileTags(readFileSync(flvFile));
  const mediaSeconds = (flvTagTimestamp(tags[tags.length - 1]) - flvTagTimestamp(tags[0])) / 1000;
  const pass = () => {
    const before = process.cpuUsage();
    const segmenter = new FlvSegmenter({ targetSeconds: 2, audio: 'aac' });
    for (const tag of tags) {
      segmenter.feed(tag);
      if (segmenter.pendingBytes >= 64 * 1024) segmenter.drain();
    }
    segmenter.finish();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000 / mediaSeconds;
  };
  for (let i = 0; i < warmUp; i++) pass();
  const costs = Array.from({ length: rounds }, pass).sort((a, b) => a - b);
  return costs[Math.floor(rounds / 2)];
}
