/**
 * ews-javascript-api 0.15.3 calls `util.isNullOrUndefined` when it writes an extended
 * property definition (ExtendedPropertyDefinition.WriteAttributesToXml). Node 23 removed that
 * deprecated helper, so on Node 24 every request carrying our ident property would throw
 * "isNullOrUndefined is not a function". Restore it (same semantics) before the library runs.
 */
import * as util from 'node:util';

type UtilWithLegacy = typeof util & { isNullOrUndefined?: (value: unknown) => boolean };

const legacy = util as UtilWithLegacy;
if (typeof legacy.isNullOrUndefined !== 'function') {
	(require('node:util') as UtilWithLegacy).isNullOrUndefined = (value: unknown) => value === null || value === undefined;
}

export {};
