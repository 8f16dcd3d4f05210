export * from './types';
export { buildCopy, copyName, mailboxKey, seededUuid, type BuiltCopy } from './copy';
export { diffCopies, type CopyPlan, type DesiredCopy, type DiffOptions, type ExistingCopy, type RemovedCopyPolicy } from './diff';
export { isMarkerNote, markerNote, readMarker, MARKER_NOTE_NAME } from './marker';
export { perUserParameters, withUserParameters, type PerUserParameter } from './per-user';
