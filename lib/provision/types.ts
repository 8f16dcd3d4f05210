/**
 * The shapes of n8n's public REST API (/api/v1/workflows) this module reads and writes, reduced to what
 * provisioning needs. Everything else a workflow carries passes through untouched as JSON.
 */
export type Json = Record<string, unknown>;

export interface WorkflowNode extends Json {
	id?: string;
	name: string;
	type: string;
	typeVersion?: number;
	parameters?: Json;
	credentials?: Json;
	webhookId?: string;
}

/** A workflow as GET /api/v1/workflows/{id} returns it. */
export interface ApiWorkflow {
	id: string;
	name: string;
	active?: boolean;
	nodes: WorkflowNode[];
	connections: Json;
	settings?: Json | null;
	nodeGroups?: Json[];
	staticData?: Json | null;
}

/** What POST /api/v1/workflows and PUT /api/v1/workflows/{id} take (their schema is strict). */
export interface WorkflowBody {
	name: string;
	nodes: WorkflowNode[];
	connections: Json;
	settings: Json;
	nodeGroups?: Json[];
}

/** One user a copy is kept for (the CRM node's user → Get Many output). */
export interface CopyUser {
	mailbox: string;
	crmUserId: string;
	name?: string;
}

/** What ties a copy to its template and user, stored in the copy (see marker.ts). */
export interface CopyMarker {
	templateId: string;
	mailbox: string;
	/** Content hash of everything the copy was built from: a different one means "update". */
	hash: string;
}
