/**
 * Patches of ews-javascript-api 0.15.3, applied once before the library runs.
 *
 * 1. The library calls `util.isNullOrUndefined` when it writes an extended property definition
 *    (ExtendedPropertyDefinition.WriteAttributesToXml). Node 23 removed that deprecated helper,
 *    so on Node 24 every request carrying our ident property would throw
 *    "isNullOrUndefined is not a function". Restore it (same semantics).
 *
 * 2. Tolerant reader for FindFolder / FindItem answers without `RootFolder`. The EWS schema makes
 *    that element optional (messages.xsd: FindFolderResponseMessageType and
 *    FindItemResponseMessageType, `RootFolder minOccurs="0"`), and grommunio Gromox 3.10 leaves it
 *    out when nothing matches (FindFolder on Calendar/Tasks or a new mail folder, a restriction
 *    that matches nothing). The library dereferences it unconditionally and throws
 *    "Cannot read properties of undefined (reading 'TotalItemsInView')". A missing RootFolder
 *    means an empty, complete result.
 *    https://learn.microsoft.com/en-us/exchange/client-developer/web-service-reference/rootfolder-findfolderresponsemessage
 *
 * 3. Time zones as Gromox 3.10 sends them: only `<t:StartTimeZone Id=".." Name=".."/>`, without
 *    Periods/Transitions (the schema allows that: TimeZoneDefinitionType's sequence is minOccurs="0"),
 *    and repeated when the shape is AllProperties plus calendar:StartTimeZone. The library's
 *    reader validates the periods first, throws, and the zone is silently lost (an appointment
 *    made in Europe/Berlin read back as UTC). Read the first definition; one without periods is
 *    resolved by its Windows Id, as the library would after a successful validation.
 */
import * as util from 'node:util';

import { FindFolderResponse, FindItemResponse, TimeZoneInfo, TimeZonePropertyDefinition } from 'ews-javascript-api';

type UtilWithLegacy = typeof util & { isNullOrUndefined?: (value: unknown) => boolean };

const legacy = util as UtilWithLegacy;
if (typeof legacy.isNullOrUndefined !== 'function') {
	// eslint-disable-next-line @typescript-eslint/no-require-imports -- the module object itself: an import namespace is read-only
	(require('node:util') as UtilWithLegacy).isNullOrUndefined = (value: unknown) => value === null || value === undefined;
}

/** The parsed response message as the library hands it to its readers (xml2js-like object). */
type ResponseObject = Record<string, unknown>;
interface XmlJsReader {
	ReadElementsFromXmlJsObject(responseObject: ResponseObject, service: unknown): void;
	__rootFolderTolerant?: true;
}

/** What an empty, complete RootFolder looks like (attributes as strings, as the library parses them). */
export const EMPTY_ROOT_FOLDER = { TotalItemsInView: '0', IncludesLastItemInRange: 'true' } as const;

export function tolerateMissingRootFolder(proto: XmlJsReader): void {
	if (proto.__rootFolderTolerant) return;
	const original = proto.ReadElementsFromXmlJsObject;
	proto.ReadElementsFromXmlJsObject = function (this: XmlJsReader, responseObject: ResponseObject, service: unknown): void {
		const withRoot = responseObject && responseObject.RootFolder === undefined ? { ...responseObject, RootFolder: { ...EMPTY_ROOT_FOLDER } } : responseObject;
		original.call(this, withRoot, service);
	};
	proto.__rootFolderTolerant = true;
}

tolerateMissingRootFolder(FindFolderResponse.prototype as unknown as XmlJsReader);
tolerateMissingRootFolder(FindItemResponse.prototype as unknown as XmlJsReader);

interface TimeZoneReader {
	LoadPropertyValueFromXmlJsObject(jsObject: unknown, service: unknown, propertyBag: PropertyBagLike): void;
	__repeatedZoneTolerant?: true;
}
interface PropertyBagLike {
	_setItem(definition: unknown, value: unknown): void;
}

function zoneById(definition: unknown): TimeZoneInfo | undefined {
	if (!definition || typeof definition !== 'object') return undefined;
	const d = definition as Record<string, unknown>;
	if (typeof d.Id !== 'string' || !d.Id || d.Periods !== undefined || d.Transitions !== undefined) return undefined;
	try {
		return TimeZoneInfo.FindSystemTimeZoneById(d.Id);
	} catch {
		return undefined;
	}
}

export function tolerateBriefTimeZone(proto: TimeZoneReader): void {
	if (proto.__repeatedZoneTolerant) return;
	const original = proto.LoadPropertyValueFromXmlJsObject;
	proto.LoadPropertyValueFromXmlJsObject = function (this: TimeZoneReader, jsObject: unknown, service: unknown, propertyBag: PropertyBagLike): void {
		const definition = Array.isArray(jsObject) ? (jsObject[0] as unknown) : jsObject;
		const byId = zoneById(definition);
		if (byId) propertyBag._setItem(this, byId);
		else original.call(this, definition, service, propertyBag);
	};
	proto.__repeatedZoneTolerant = true;
}

tolerateBriefTimeZone(TimeZonePropertyDefinition.prototype as unknown as TimeZoneReader);
