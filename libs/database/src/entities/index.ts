export * from './stream.entity';
export * from './session.entity';
export * from './segment.entity';
export * from './rendition-segment.entity';
import { RenditionSegmentEntity } from './rendition-segment.entity';
import { SegmentEntity } from './segment.entity';
import { SessionEntity } from './session.entity';
import { StreamEntity } from './stream.entity';

export const ENTITIES = [StreamEntity, SessionEntity, SegmentEntity, RenditionSegmentEntity];
