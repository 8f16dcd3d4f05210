/** SOAP/XML plumbing for the sandbox's EWS face: parse requests, write responses. */
import { XMLParser } from 'fast-xml-parser';

export const NS = {
	soap: 'http://schemas.xmlsoap.org/soap/envelope/',
	t: 'http://schemas.microsoft.com/exchange/services/2006/types',
	m: 'http://schemas.microsoft.com/exchange/services/2006/messages',
	e: 'http://schemas.microsoft.com/exchange/services/2006/errors',
};

/** A parsed element: child elements by local name, attributes as '@_name', text as '#text'. */
export type XNode = { [key: string]: XValue };
export type XValue = string | XNode | XValue[] | undefined;

const parser = new XMLParser({
	ignoreAttributes: false,
	attributeNamePrefix: '@_',
	removeNSPrefix: true,
	parseTagValue: false,
	parseAttributeValue: false,
	trimValues: true,
	preserveOrder: false,
});

export function parseXml(text: string): XNode {
	return parser.parse(text) as XNode;
}

/** Elements of a name below a node, always as an array. */
export function all(node: XValue, name: string): XNode[] {
	if (!node || typeof node !== 'object' || Array.isArray(node)) return [];
	const v = node[name];
	if (v === undefined) return [];
	const list = Array.isArray(v) ? v : [v];
	return list.map((x) => (typeof x === 'object' && !Array.isArray(x) ? x : ({ '#text': x } as XNode)));
}

export function child(node: XValue, name: string): XNode | undefined {
	return all(node, name)[0];
}

export function text(node: XValue, name?: string): string | undefined {
	const target = name === undefined ? node : child(node, name);
	if (target === undefined) return undefined;
	if (typeof target === 'string') return target;
	if (Array.isArray(target)) return undefined;
	const t = target['#text'];
	return typeof t === 'string' ? t : t === undefined ? (Object.keys(target).length === 0 ? '' : undefined) : String(t);
}

export function attr(node: XValue, name: string): string | undefined {
	if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
	const v = node[`@_${name}`];
	return typeof v === 'string' ? v : undefined;
}

/** Child element names in document order as the parser kept them (object key order). */
export function childNames(node: XValue): string[] {
	if (!node || typeof node !== 'object' || Array.isArray(node)) return [];
	return Object.keys(node).filter((k) => !k.startsWith('@_') && k !== '#text');
}

export function esc(value: string | number | boolean): string {
	return (
		String(value)
			.replace(/&/g, '&amp;')
			.replace(/</g, '&lt;')
			.replace(/>/g, '&gt;')
			.replace(/"/g, '&quot;')
			// characters XML 1.0 cannot carry at all
			// eslint-disable-next-line no-control-regex
			.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
	);
}

/** `<p:name a="v">inner</p:name>`; inner is already XML. Undefined inner and no attributes → nothing. */
export function el(name: string, inner?: string, attrs?: Record<string, string | number | boolean | undefined>): string {
	const a = Object.entries(attrs ?? {})
		.filter(([, v]) => v !== undefined)
		.map(([k, v]) => ` ${k}="${esc(v as string)}"`)
		.join('');
	if (inner === undefined || inner === '') return `<${name}${a}/>`;
	return `<${name}${a}>${inner}</${name}>`;
}

/** Text element, omitted when the value is undefined. */
export function tel(name: string, value: string | number | boolean | undefined): string {
	return value === undefined ? '' : `<${name}>${esc(value)}</${name}>`;
}

export function envelope(body: string, header = ''): string {
	return (
		'<?xml version="1.0" encoding="utf-8"?>' +
		`<s:Envelope xmlns:s="${NS.soap}">` +
		`<s:Header><h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6" Version="V2017_07_11" xmlns:h="${NS.t}"/>${header}</s:Header>` +
		`<s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">${body}</s:Body>` +
		'</s:Envelope>'
	);
}

/** A SOAP fault as Exchange sends it (HTTP 500), with the EWS error code and optional MessageXml values. */
export function soapFault(code: string, message: string, values: Record<string, string> = {}): string {
	const xml = Object.entries(values)
		.map(([k, v]) => `<t:Value Name="${esc(k)}">${esc(v)}</t:Value>`)
		.join('');
	return (
		'<?xml version="1.0" encoding="utf-8"?>' +
		`<s:Envelope xmlns:s="${NS.soap}"><s:Body><s:Fault>` +
		`<faultcode xmlns:a="${NS.t}">a:${esc(code)}</faultcode>` +
		`<faultstring xml:lang="en-US">${esc(message)}</faultstring>` +
		`<detail><e:ResponseCode xmlns:e="${NS.e}">${esc(code)}</e:ResponseCode><e:Message xmlns:e="${NS.e}">${esc(message)}</e:Message>` +
		(xml ? `<t:MessageXml xmlns:t="${NS.t}">${xml}</t:MessageXml>` : '') +
		'</detail></s:Fault></s:Body></s:Envelope>'
	);
}
