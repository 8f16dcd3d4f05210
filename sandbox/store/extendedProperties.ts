/**
 * Single-value extended property ids. Graph writes them as strings
 * ("String {guid} Name CrmSyncKey", "Integer {guid} Id 0x8233", "String 0x007D");
 * EWS as ExtendedFieldURI attributes. Both are reduced to one canonical id string so a
 * property written through one protocol is found through the other.
 */

export const DISTINGUISHED_PROPERTY_SETS: Record<string, string> = {
	Meeting: '6ed8da90-450b-101b-98da-00aa003f1305',
	Appointment: '00062002-0000-0000-c000-000000000046',
	Common: '00062008-0000-0000-c000-000000000046',
	PublicStrings: '00020329-0000-0000-c000-000000000046',
	Address: '00062004-0000-0000-c000-000000000046',
	InternetHeaders: '00020386-0000-0000-c000-000000000046',
	CalendarAssistant: '11000e07-b51b-40d6-af21-caa85edab1d0',
	UnifiedMessaging: '4442858e-a9e3-4e80-b900-317a210cc15b',
	Task: '00062003-0000-0000-c000-000000000046',
	Sharing: '00062040-0000-0000-c000-000000000046',
};

const TYPES = [
	'ApplicationTime',
	'Binary',
	'Boolean',
	'CLSID',
	'Currency',
	'Double',
	'Error',
	'Float',
	'Integer',
	'Long',
	'Null',
	'Object',
	'Short',
	'String',
	'SystemTime',
];

export interface ExtendedPropertyParts {
	type: string;
	/** lower-case GUID without braces */
	propertySetId?: string;
	propertyName?: string;
	propertyId?: number;
	propertyTag?: number;
}

function canonicalType(type: string): string | undefined {
	return TYPES.find((t) => t.toLowerCase() === type.toLowerCase());
}

function parseNumber(text: string): number | undefined {
	const n = /^0x[0-9a-f]+$/i.test(text) ? parseInt(text, 16) : /^\d+$/.test(text) ? parseInt(text, 10) : NaN;
	return Number.isFinite(n) ? n : undefined;
}

/** Parse a Graph extended property id; undefined when it is not one. */
export function parseExtendedPropertyId(id: string): ExtendedPropertyParts | undefined {
	const named = /^\s*(\w+)\s+\{?([0-9a-f-]{36})\}?\s+(Name|Id)\s+(.+?)\s*$/i.exec(id);
	if (named) {
		const type = canonicalType(named[1]);
		if (!type) return undefined;
		const propertySetId = named[2].toLowerCase();
		if (named[3].toLowerCase() === 'name') return { type, propertySetId, propertyName: named[4] };
		const propertyId = parseNumber(named[4]);
		return propertyId === undefined ? undefined : { type, propertySetId, propertyId };
	}
	const tagged = /^\s*(\w+)\s+(0x[0-9a-f]{1,4}|\d+)\s*$/i.exec(id);
	if (tagged) {
		const type = canonicalType(tagged[1]);
		const propertyTag = parseNumber(tagged[2]);
		return type && propertyTag !== undefined ? { type, propertyTag } : undefined;
	}
	return undefined;
}

/** The canonical id string for parts (also the key in StoredItem.extendedProperties). */
export function formatExtendedPropertyId(parts: ExtendedPropertyParts): string {
	if (parts.propertyTag !== undefined) return `${parts.type} 0x${parts.propertyTag.toString(16).padStart(4, '0')}`;
	const set = `{${parts.propertySetId ?? ''}}`;
	if (parts.propertyName !== undefined) return `${parts.type} ${set} Name ${parts.propertyName}`;
	return `${parts.type} ${set} Id 0x${(parts.propertyId ?? 0).toString(16)}`;
}

/** Canonical form of a Graph id string; undefined when it is malformed. */
export function canonicalExtendedPropertyId(id: string): string | undefined {
	const parts = parseExtendedPropertyId(id);
	return parts ? formatExtendedPropertyId(parts) : undefined;
}

/** Canonical id from EWS ExtendedFieldURI attributes. */
export function extendedPropertyIdFromEws(uri: {
	PropertyType: string;
	PropertySetId?: string;
	DistinguishedPropertySetId?: string;
	PropertyName?: string;
	PropertyId?: string | number;
	PropertyTag?: string;
}): string | undefined {
	const type = canonicalType(uri.PropertyType);
	if (!type) return undefined;
	if (uri.PropertyTag !== undefined) {
		const tag = parseNumber(String(uri.PropertyTag));
		return tag === undefined ? undefined : formatExtendedPropertyId({ type, propertyTag: tag });
	}
	const set = uri.PropertySetId?.toLowerCase() ?? (uri.DistinguishedPropertySetId ? DISTINGUISHED_PROPERTY_SETS[uri.DistinguishedPropertySetId] : undefined);
	if (!set) return undefined;
	if (uri.PropertyName !== undefined) return formatExtendedPropertyId({ type, propertySetId: set, propertyName: uri.PropertyName });
	const id = uri.PropertyId === undefined ? undefined : parseNumber(String(uri.PropertyId));
	return id === undefined ? undefined : formatExtendedPropertyId({ type, propertySetId: set, propertyId: id });
}
