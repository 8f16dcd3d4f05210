/**
 * Route matching for Graph resource paths: literal segments compare case-insensitively
 * (Graph does), ":name" captures a segment, OData key syntax "mailFolders('x')" is
 * accepted as "mailFolders/x".
 */
import type { GraphHandler } from './context';

interface Route {
	method: string;
	segments: string[];
	handler: GraphHandler;
	/** route label for counters, e.g. "/contactFolders/{id}/contacts/delta" */
	label: string;
}

export function splitResourcePath(path: string): string[] {
	return path
		.replace(/\(\s*'((?:[^']|'')*)'\s*\)/g, (_m, key: string) => `/${encodeURIComponent(key.replace(/''/g, "'"))}`)
		.split('/')
		.filter(Boolean)
		.map((s) => decodeURIComponent(s));
}

export class GraphRouter {
	private routes: Route[] = [];

	add(method: string, pattern: string, handler: GraphHandler): this {
		const segments = pattern.split('/').filter(Boolean);
		this.routes.push({ method, segments, handler, label: '/' + segments.map((s) => (s.startsWith(':') ? '{id}' : s)).join('/') });
		return this;
	}

	get(pattern: string, handler: GraphHandler): this {
		return this.add('GET', pattern, handler);
	}
	post(pattern: string, handler: GraphHandler): this {
		return this.add('POST', pattern, handler);
	}
	patch(pattern: string, handler: GraphHandler): this {
		return this.add('PATCH', pattern, handler);
	}
	delete(pattern: string, handler: GraphHandler): this {
		return this.add('DELETE', pattern, handler);
	}

	/** 'methodNotAllowed' when the path exists with another method. */
	match(method: string, segments: string[]): { handler: GraphHandler; params: Record<string, string>; label: string } | 'methodNotAllowed' | undefined {
		let pathMatched = false;
		for (const route of this.routes) {
			if (route.segments.length !== segments.length) continue;
			const params: Record<string, string> = {};
			let matched = true;
			for (let i = 0; i < segments.length; i++) {
				const want = route.segments[i];
				if (want.startsWith(':')) params[want.slice(1)] = segments[i];
				else if (want.toLowerCase() !== segments[i].toLowerCase()) {
					matched = false;
					break;
				}
			}
			if (!matched) continue;
			pathMatched = true;
			if (route.method === method) return { handler: route.handler, params, label: route.label };
		}
		return pathMatched ? 'methodNotAllowed' : undefined;
	}
}
