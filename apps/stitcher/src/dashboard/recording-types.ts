/** The admin API's recording answer (GET /api/streams/{id}/recordings, /api/recordings/{id}). */
export interface RecordingExport {
  variant: string;
  state: 'queued' | 'running' | 'ready' | 'failed';
  progress: number;
  url: string | null;
  bytes: number | null;
  error: string | null;
}

export interface Recording {
  id: string;
  streamId: string;
  sessionIds: string[];
  state: 'recording' | 'ready' | 'failed' | 'deleted';
  failureReason: string | null;
  startedAt: number;
  durationMs: number | null;
  variants: string[];
  playbackUrl: string | null;
  thumbnailUrl: string | null;
  mp4: RecordingExport[];
}
