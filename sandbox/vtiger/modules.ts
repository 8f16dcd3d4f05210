/** The vtiger modules the sandbox serves, with the field names, types and mandatory flags of vtiger 8.3. */
export type VtRecord = Record<string, string | null>;

export interface VtField {
	name: string;
	type: string;
	mandatory?: boolean;
	refersTo?: string[];
	picklist?: string[];
}

export interface VtModule {
	name: string;
	prefix: number;
	fields: VtField[];
	/** Empty dates are "" in retrieve but null in query/sync (recorded vtiger behaviour). */
	labelFields: string;
}

const s = (name: string, extra: Partial<VtField> = {}): VtField => ({ name, type: 'string', ...extra });
const META: VtField[] = [
	{ name: 'assigned_user_id', type: 'owner', mandatory: true },
	{ name: 'createdtime', type: 'datetime' },
	{ name: 'modifiedtime', type: 'datetime' },
	{ name: 'modifiedby', type: 'reference', refersTo: ['Users'] },
	s('source'),
	{ name: 'starred', type: 'boolean' },
	s('tags'),
	// The custom field a connector install adds to hold the sync ident.
	s('cf_crmsync_ident'),
	{ name: 'description', type: 'text' },
];
/** Address fields; Accounts name the postal code `bill_code` / `ship_code`, Contacts `mailingzip` / `otherzip`. */
const address = (p: string, zip = 'zip'): VtField[] =>
	['street', 'city', 'state', zip, 'country', 'pobox'].map((f) => s(`${p}${f}`, { type: f === 'street' ? 'text' : 'string' }));

export const VT_MODULES: VtModule[] = [
	{
		name: 'Contacts',
		prefix: 12,
		labelFields: 'firstname,lastname',
		fields: [
			s('salutationtype'),
			s('firstname'),
			s('contact_no'),
			s('phone', { type: 'phone' }),
			s('lastname', { mandatory: true }),
			s('mobile', { type: 'phone' }),
			{ name: 'account_id', type: 'reference', refersTo: ['Accounts'] },
			s('homephone', { type: 'phone' }),
			{ name: 'leadsource', type: 'picklist', picklist: ['Cold Call', 'Existing Customer', 'Partner', 'Web Site', 'Other'] },
			s('otherphone', { type: 'phone' }),
			s('title'),
			s('fax', { type: 'phone' }),
			s('department'),
			{ name: 'birthday', type: 'date' },
			s('email', { type: 'email' }),
			{ name: 'contact_id', type: 'reference', refersTo: ['Contacts'] },
			s('assistant'),
			s('secondaryemail', { type: 'email' }),
			s('assistantphone', { type: 'phone' }),
			{ name: 'donotcall', type: 'boolean' },
			{ name: 'emailoptout', type: 'boolean' },
			{ name: 'reference', type: 'boolean' },
			{ name: 'notify_owner', type: 'boolean' },
			{ name: 'isconvertedfromlead', type: 'boolean' },
			{ name: 'portal', type: 'boolean' },
			{ name: 'support_start_date', type: 'date' },
			{ name: 'support_end_date', type: 'date' },
			{ name: 'imagename', type: 'image' },
			s('website', { type: 'url' }),
			...META,
			...address('mailing'),
			...address('other'),
		],
	},
	{
		name: 'Accounts',
		prefix: 11,
		labelFields: 'accountname',
		fields: [
			s('accountname', { mandatory: true }),
			s('account_no'),
			s('phone', { type: 'phone' }),
			s('website', { type: 'url' }),
			s('email1', { type: 'email' }),
			s('email2', { type: 'email' }),
			{ name: 'accounttype', type: 'picklist', picklist: ['Analyst', 'Competitor', 'Customer', 'Partner', 'Prospect', 'Other'] },
			...META,
			...address('bill_', 'code'),
			...address('ship_', 'code'),
		],
	},
	{
		name: 'Leads',
		prefix: 10,
		labelFields: 'firstname,lastname',
		fields: [
			s('firstname'),
			s('lastname', { mandatory: true }),
			s('company', { mandatory: true }),
			s('lead_no'),
			s('email', { type: 'email' }),
			s('secondaryemail', { type: 'email' }),
			s('phone', { type: 'phone' }),
			s('mobile', { type: 'phone' }),
			{ name: 'leadsource', type: 'picklist', picklist: ['Cold Call', 'Existing Customer', 'Partner', 'Web Site', 'Other'] },
			...META,
		],
	},
	{
		name: 'Vendors',
		prefix: 2,
		labelFields: 'vendorname',
		fields: [s('vendorname', { mandatory: true }), s('vendor_no'), s('email', { type: 'email' }), s('phone', { type: 'phone' }), ...META],
	},
	{
		// Fields, types, mandatory flags and picklists as the describe of a real vtiger 8.3.0 answers them.
		name: 'Events',
		prefix: 18,
		labelFields: 'subject',
		fields: [
			s('subject', { mandatory: true }),
			{ name: 'date_start', type: 'date', mandatory: true },
			{ name: 'time_start', type: 'time', mandatory: true },
			{ name: 'due_date', type: 'date', mandatory: true },
			{ name: 'time_end', type: 'time', mandatory: true },
			{ name: 'recurringtype', type: 'picklist', picklist: ['Daily', 'Weekly', 'Monthly', 'Yearly'] },
			{ name: 'duration_hours', type: 'integer', mandatory: true },
			{ name: 'duration_minutes', type: 'picklist', picklist: ['00', '15', '30', '45'] },
			{ name: 'parent_id', type: 'reference', refersTo: ['Accounts', 'Leads'] },
			{ name: 'eventstatus', type: 'picklist', mandatory: true, picklist: ['Planned', 'Held', 'Not Held'] },
			{ name: 'sendnotification', type: 'boolean' },
			{ name: 'activitytype', type: 'picklist', mandatory: true, picklist: ['Call', 'Mobile Call', 'Meeting'] },
			s('location'),
			{ name: 'taskpriority', type: 'picklist', picklist: ['High', 'Medium', 'Low'] },
			{ name: 'notime', type: 'boolean' },
			{ name: 'visibility', type: 'picklist', picklist: ['Private', 'Public'] },
			{ name: 'reminder_time', type: 'integer' },
			{ name: 'contact_id', type: 'reference', refersTo: ['Contacts'] },
			...META,
		],
	},
	{
		// Tasks. vtiger stores them with activitytype "Task" (not in the picklist); VTQL on Calendar returns only those.
		name: 'Calendar',
		prefix: 9,
		labelFields: 'subject',
		fields: [
			s('subject', { mandatory: true }),
			{ name: 'date_start', type: 'date', mandatory: true },
			{ name: 'time_start', type: 'time', mandatory: true },
			{ name: 'time_end', type: 'time' },
			{ name: 'due_date', type: 'date', mandatory: true },
			{ name: 'parent_id', type: 'reference', refersTo: ['Accounts', 'Leads'] },
			{ name: 'contact_id', type: 'reference', refersTo: ['Contacts'] },
			{
				name: 'taskstatus',
				type: 'picklist',
				mandatory: true,
				picklist: ['Not Started', 'In Progress', 'Completed', 'Pending Input', 'Deferred', 'Planned'],
			},
			{ name: 'eventstatus', type: 'picklist', picklist: ['Planned', 'Held', 'Not Held'] },
			{ name: 'taskpriority', type: 'picklist', picklist: ['High', 'Medium', 'Low'] },
			{ name: 'sendnotification', type: 'boolean' },
			{ name: 'activitytype', type: 'picklist', picklist: ['Call', 'Meeting', 'Mobile Call'] },
			{ name: 'visibility', type: 'picklist', picklist: ['Private', 'Public'] },
			{ name: 'duration_hours', type: 'time' },
			{ name: 'duration_minutes', type: 'picklist', picklist: ['00', '15', '30', '45'] },
			s('location'),
			{ name: 'reminder_time', type: 'integer' },
			{ name: 'recurringtype', type: 'picklist', picklist: ['Daily', 'Weekly', 'Monthly', 'Yearly'] },
			{ name: 'notime', type: 'boolean' },
			...META,
		],
	},
	{
		name: 'Emails',
		prefix: 16,
		labelFields: 'subject',
		fields: [
			s('subject', { mandatory: true }),
			s('from_email', { type: 'email', mandatory: true }),
			s('saved_toid', { mandatory: true }),
			s('ccmail'),
			s('bccmail'),
			{ name: 'date_start', type: 'date', mandatory: true },
			s('time_start'),
			// Real 8.3.0: a plain string the webservice does not fill; VTQL and the "Emails" lists see only "Emails".
			s('activitytype'),
			s('parent_type'),
			{ name: 'description', type: 'text' },
			{ name: 'parent_id', type: 'reference', refersTo: ['Accounts', 'Contacts', 'Leads', 'Users', 'Vendors'] },
			s('email_flag'),
			s('cf_message_id'),
			...META,
		],
	},
	{
		// A file imported through the webservice: a multipart create with the file in the part "filename".
		name: 'Documents',
		prefix: 15,
		labelFields: 'notes_title',
		fields: [
			s('notes_title', { mandatory: true }),
			s('note_no'),
			s('filename'),
			{ name: 'filelocationtype', type: 'picklist', picklist: ['I', 'E'] },
			{ name: 'filestatus', type: 'boolean' },
			{ name: 'filesize', type: 'integer' },
			s('filetype'),
			s('fileversion'),
			{ name: 'filedownloadcount', type: 'integer' },
			{ name: 'folderid', type: 'reference', refersTo: ['DocumentFolders'] },
			{ name: 'notecontent', type: 'text' },
			...META,
		],
	},
	{
		name: 'ModComments',
		prefix: 30,
		labelFields: 'commentcontent',
		fields: [
			{ name: 'commentcontent', type: 'text', mandatory: true },
			{ name: 'related_to', type: 'reference', mandatory: true, refersTo: ['Accounts', 'Contacts', 'Leads', 'Calendar', 'Events', 'Vendors', 'Emails'] },
			...META,
		],
	},
];

/**
 * Relations add_related / retrieve_related accept (vtiger_relatedlists of a stock 8.3): source module →
 * related module → relation label. E-mails hang under a person's "Emails" list; files under "Documents".
 */
export const RELATIONS: Record<string, Record<string, string>> = {
	Contacts: { Emails: 'Emails', Documents: 'Documents' },
	Accounts: { Emails: 'Emails', Documents: 'Documents' },
	Leads: { Emails: 'Emails', Documents: 'Documents' },
	Vendors: { Emails: 'Emails', Documents: 'Documents' },
	Emails: { Documents: 'Documents' },
};

export const USERS_PREFIX = 19;
export const GROUPS_PREFIX = 20;

export const LIST_TYPES = [
	'Campaigns',
	'Vendors',
	'Faq',
	'Quotes',
	'PurchaseOrder',
	'SalesOrder',
	'Invoice',
	'PriceBooks',
	'Calendar',
	'Leads',
	'Accounts',
	'Contacts',
	'Potentials',
	'Products',
	'Documents',
	'Emails',
	'HelpDesk',
	'Events',
	'Users',
	'PBXManager',
	'ServiceContracts',
	'Services',
	'ProjectMilestone',
	'ProjectTask',
	'Project',
	'ModComments',
	'SMSNotifier',
	'Assets',
	'Groups',
	'Currency',
	'DocumentFolders',
	'CompanyDetails',
	'LineItem',
	'Tax',
	'ProductTaxes',
];

/** VTQL on Emails and the "Emails" related lists add activitytype = 'Emails' (VTQL_Parser, get_emails). */
export function isListedEmail(moduleName: string, values: VtRecord): boolean {
	return moduleName !== 'Emails' || values.activitytype === 'Emails';
}

/** query and sync answer null for empty dates where retrieve answers "". */
export function nullEmptyDates(mod: VtModule, values: VtRecord): VtRecord {
	for (const f of mod.fields) if ((f.type === 'date' || f.type === 'datetime') && values[f.name] === '') values[f.name] = null;
	return values;
}
