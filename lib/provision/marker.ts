/**
 * The marker that ties a copy to its template and user: a sticky note in the copy. n8n's tags are at most
 * 24 characters (TagEntity) and need their own requests and scopes, `meta` is read-only in the public API,
 * and a name can be edited: a note survives every save, travels with export/import, and tells an admin who
 * opens the copy where it comes from. Copies are found by the note's type and marker line, not its name.
 */
import type { CopyMarker, WorkflowNode } from './types';

export const STICKY_NOTE_TYPE = 'n8n-nodes-base.stickyNote';
export const MARKER_NOTE_NAME = 'Provisioned Copy';
const MARKER_PREFIX = 'crm-sync-copy:';
const MARKER_LINE = /crm-sync-copy:\s*(\{[^\n`]*\})/;

export function markerNote(marker: CopyMarker, templateName: string, id: string, position: [number, number]): WorkflowNode {
	const content = [
		'## Kept by the provisioning workflow',
		'',
		`A copy of **${templateName}** for **${marker.mailbox}**. The provisioning workflow (*Keep One Per User*) rewrites it when the template changes and deactivates or deletes it when the user is no longer connected: change the template, not this copy. The sync state of this mailbox is in this workflow.`,
		'',
		`\`${MARKER_PREFIX} ${JSON.stringify({ template: marker.templateId, mailbox: marker.mailbox, hash: marker.hash })}\``,
	].join('\n');
	return { parameters: { content, height: 260, width: 420, color: 7 }, id, name: MARKER_NOTE_NAME, type: STICKY_NOTE_TYPE, typeVersion: 1, position };
}

export function isMarkerNote(node: WorkflowNode): boolean {
	return node.type === STICKY_NOTE_TYPE && typeof node.parameters?.content === 'string' && node.parameters.content.includes(MARKER_PREFIX);
}

/** The marker of a workflow, or undefined when it is not a provisioned copy. */
export function readMarker(nodes: readonly WorkflowNode[]): CopyMarker | undefined {
	for (const node of nodes) {
		if (!isMarkerNote(node)) continue;
		const match = MARKER_LINE.exec(node.parameters?.content as string);
		if (!match) continue;
		try {
			const parsed = JSON.parse(match[1]) as { template?: unknown; mailbox?: unknown; hash?: unknown };
			if (typeof parsed.template === 'string' && typeof parsed.mailbox === 'string' && typeof parsed.hash === 'string') {
				return { templateId: parsed.template, mailbox: parsed.mailbox, hash: parsed.hash };
			}
		} catch {
			// a damaged marker: not a copy we keep
		}
	}
	return undefined;
}
