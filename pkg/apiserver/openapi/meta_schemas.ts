// The apimachinery schemas every group-version document references (abridged from kube's,
// with the descriptions `kubectl explain` shows).
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const OBJECT_META = `${META}.ObjectMeta`;
export const LIST_META = `${META}.ListMeta`;
export const STATUS = `${META}.Status`;
export const DELETE_OPTIONS = `${META}.DeleteOptions`;
export const PATCH = `${META}.Patch`;
export const WATCH_EVENT = `${META}.WatchEvent`;

const str = (description: string) => ({ type: 'string', description });

export function metaSchemas(ref: (name: string) => string): Record<string, object> {
  return {
    [`${META}.Time`]: { type: 'string', format: 'date-time', description: 'Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON.' },
    [`${META}.FieldsV1`]: { type: 'object', description: 'FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.' },
    [`${META}.ManagedFieldsEntry`]: {
      type: 'object',
      description: 'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.',
      properties: {
        apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
        fieldsType: str('FieldsType is the discriminator for the different fields format and version.'),
        fieldsV1: { allOf: [{ $ref: ref(`${META}.FieldsV1`) }], description: 'FieldsV1 holds the first JSON version format.' },
        manager: str('Manager is an identifier of the workflow managing these fields.'),
        operation: str("Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'."),
        subresource: str('Subresource is the name of the subresource used to update that object.'),
        time: { allOf: [{ $ref: ref(`${META}.Time`) }], description: 'Time is the timestamp of when the ManagedFields entry was added.' },
      },
    },
    [`${META}.OwnerReference`]: {
      type: 'object',
      required: ['apiVersion', 'kind', 'name', 'uid'],
      description: 'OwnerReference contains enough information to let you identify an owning object.',
      properties: {
        apiVersion: str('API version of the referent.'),
        kind: str('Kind of the referent.'),
        name: str('Name of the referent.'),
        uid: str('UID of the referent.'),
        controller: { type: 'boolean', description: 'If true, this reference points to the managing controller.' },
        blockOwnerDeletion: { type: 'boolean', description: 'If true, the owner cannot be deleted before this reference is removed.' },
      },
      'x-kubernetes-map-type': 'atomic',
    },
    [OBJECT_META]: {
      type: 'object',
      description: 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.',
      properties: {
        annotations: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.' },
        creationTimestamp: { allOf: [{ $ref: ref(`${META}.Time`) }], description: 'CreationTimestamp is a timestamp representing the server time when this object was created. Populated by the system. Read-only.' },
        deletionGracePeriodSeconds: { type: 'integer', format: 'int64', description: 'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.' },
        deletionTimestamp: { allOf: [{ $ref: ref(`${META}.Time`) }], description: 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. Populated by the system when a graceful deletion is requested. Read-only.' },
        finalizers: { type: 'array', items: { type: 'string', default: '' }, description: 'Must be empty before the object is deleted from the registry.', 'x-kubernetes-list-type': 'set' },
        generateName: str('GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
        generation: { type: 'integer', format: 'int64', description: 'A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.' },
        labels: { type: 'object', additionalProperties: { type: 'string', default: '' }, description: 'Map of string keys and values that can be used to organize and categorize (scope and select) objects.' },
        managedFields: { type: 'array', items: { default: {}, allOf: [{ $ref: ref(`${META}.ManagedFieldsEntry`) }] }, description: 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.' },
        name: str('Name must be unique within a namespace. Is required when creating resources. Cannot be updated.'),
        namespace: str('Namespace defines the space within which each name must be unique. Empty for cluster-scoped resources.'),
        ownerReferences: { type: 'array', items: { default: {}, allOf: [{ $ref: ref(`${META}.OwnerReference`) }] }, description: 'List of objects depended by this object.' },
        resourceVersion: str('An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. Read-only.'),
        selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
        uid: str('UID is the unique in time and space value for this object. Populated by the system. Read-only.'),
      },
    },
    [LIST_META]: {
      type: 'object',
      description: 'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.',
      properties: {
        continue: str('continue may be set if the user set a limit on the number of items returned.'),
        remainingItemCount: { type: 'integer', format: 'int64', description: 'The number of subsequent items in the list which are not included in this list response.' },
        resourceVersion: str("String that identifies the server's internal version of this object."),
        selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
      },
    },
    [STATUS]: {
      type: 'object',
      description: 'Status is a return value for calls that don\'t return other objects.',
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        code: { type: 'integer', format: 'int32', description: 'Suggested HTTP return code for this status, 0 if not set.' },
        details: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, description: 'Extended data associated with the reason.' },
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        message: str('A human-readable description of the status of this operation.'),
        metadata: { default: {}, allOf: [{ $ref: ref(LIST_META) }], description: 'Standard list metadata.' },
        reason: str('A machine-readable description of why this operation is in the "Failure" status.'),
        status: str('Status of the operation. One of: "Success" or "Failure".'),
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'Status', version: 'v1' }],
    },
    [DELETE_OPTIONS]: {
      type: 'object',
      description: 'DeleteOptions may be provided when deleting an API object.',
      properties: {
        apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
        dryRun: { type: 'array', items: { type: 'string', default: '' }, description: 'When present, indicates that modifications should not be persisted.' },
        gracePeriodSeconds: { type: 'integer', format: 'int64', description: 'The duration in seconds before the object should be deleted.' },
        kind: str('Kind is a string value representing the REST resource this object represents.'),
        preconditions: { type: 'object', properties: { resourceVersion: str('Specifies the target ResourceVersion'), uid: str('Specifies the target UID.') }, description: 'Must be fulfilled before a deletion is carried out.' },
        propagationPolicy: str("Whether and how garbage collection will be performed. Acceptable values are: 'Orphan', 'Background', 'Foreground'."),
      },
      'x-kubernetes-group-version-kind': [{ group: '', kind: 'DeleteOptions', version: 'v1' }],
    },
    [PATCH]: { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
    [WATCH_EVENT]: {
      type: 'object',
      required: ['type', 'object'],
      description: 'Event represents a single event to a watched resource.',
      properties: { object: { type: 'object', description: 'Object is the object of the event.' }, type: { type: 'string', default: '' } },
    },
  };
}
