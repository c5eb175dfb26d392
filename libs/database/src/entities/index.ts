export * from './stream.entity';
export * from './session.entity';
export * from './segment.entity';
export * from './rendition-segment.entity';
import { RecordingEntity, RecordingExportEntity } from './recording.entity';
import { RenditionSegmentEntity } from './rendition-segment.entity';
import { SegmentEntity } from './segment.entity';
import { SessionEntity } from './session.entity';
import { StreamEntity } from './stream.entity';

export const ENTITIES = [StreamEntity, SessionEntity, SegmentEntity, RenditionSegmentEntity, RecordingEntity, RecordingExportEntity];
export * from './recording.entity';
