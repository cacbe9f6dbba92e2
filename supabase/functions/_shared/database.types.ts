export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
  "app": {
    Tables: {
      "agent_templates": {
        Row: {
          "allowed_tools": (string)[];
          "can_spawn": boolean;
          "description": string;
          "memory_types": (string)[];
          "name": string;
          "pack": string;
          "persona": string;
          "skills": (string)[];
          "slug": string;
        };
        ComputedFields: never;
        Insert: {
          "allowed_tools"?: (string)[];
          "can_spawn"?: boolean;
          "description": string;
          "memory_types"?: (string)[];
          "name": string;
          "pack": string;
          "persona": string;
          "skills"?: (string)[];
          "slug": string;
        };
        Update: {
          "allowed_tools"?: (string)[];
          "can_spawn"?: boolean;
          "description"?: string;
          "memory_types"?: (string)[];
          "name"?: string;
          "pack"?: string;
          "persona"?: string;
          "skills"?: (string)[];
          "slug"?: string;
        };
        Relationships: [];
      };
      "automation_hook_ids": {
        Row: {
          "automation_id": string;
          "received_at": string;
          "webhook_id": string;
        };
        ComputedFields: never;
        Insert: {
          "automation_id": string;
          "received_at"?: string;
          "webhook_id": string;
        };
        Update: {
          "automation_id"?: string;
          "received_at"?: string;
          "webhook_id"?: string;
        };
        Relationships: [];
      };
      "automation_hooks": {
        Row: {
          "automation_id": string;
          "created_at": string;
          "secret_enc": string | null;
          "tenant_id": string;
          "vault_secret_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "automation_id": string;
          "created_at"?: string;
          "secret_enc"?: string | null;
          "tenant_id": string;
          "vault_secret_id"?: string | null;
        };
        Update: {
          "automation_id"?: string;
          "created_at"?: string;
          "secret_enc"?: string | null;
          "tenant_id"?: string;
          "vault_secret_id"?: string | null;
        };
        Relationships: [];
      };
      "automation_windows": {
        Row: {
          "automation_id": string;
          "closed": boolean;
          "events": NonNullable<Json>;
          "fire_at": string;
          "mode": string;
          "opened_at": string;
          "run_id": string;
          "tenant_id": string;
          "window_key": string;
        };
        ComputedFields: never;
        Insert: {
          "automation_id": string;
          "closed"?: boolean;
          "events"?: NonNullable<Json>;
          "fire_at": string;
          "mode": string;
          "opened_at"?: string;
          "run_id": string;
          "tenant_id": string;
          "window_key": string;
        };
        Update: {
          "automation_id"?: string;
          "closed"?: boolean;
          "events"?: NonNullable<Json>;
          "fire_at"?: string;
          "mode"?: string;
          "opened_at"?: string;
          "run_id"?: string;
          "tenant_id"?: string;
          "window_key"?: string;
        };
        Relationships: [];
      };
      "integration_leases": {
        Row: {
          "expires_at": string;
          "holder": string;
          "integration": string;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "expires_at": string;
          "holder": string;
          "integration": string;
          "tenant_id": string;
        };
        Update: {
          "expires_at"?: string;
          "holder"?: string;
          "integration"?: string;
          "tenant_id"?: string;
        };
        Relationships: [];
      };
      "integration_windows": {
        Row: {
          "hits": number;
          "integration": string;
          "tenant_id": string;
          "window_start": string;
        };
        ComputedFields: never;
        Insert: {
          "hits"?: number;
          "integration": string;
          "tenant_id": string;
          "window_start": string;
        };
        Update: {
          "hits"?: number;
          "integration"?: string;
          "tenant_id"?: string;
          "window_start"?: string;
        };
        Relationships: [];
      };
      "invoke_requests": {
        Row: {
          "body": NonNullable<Json>;
          "created_at": string;
          "function_name": string;
          "id": number;
          "txid": unknown;
        };
        ComputedFields: never;
        Insert: {
          "body": NonNullable<Json>;
          "created_at"?: string;
          "function_name": string;
          "id"?: never;
          "txid"?: unknown;
        };
        Update: {
          "body"?: NonNullable<Json>;
          "created_at"?: string;
          "function_name"?: string;
          "id"?: never;
          "txid"?: unknown;
        };
        Relationships: [];
      };
      "local_secret_key": {
        Row: {
          "created_at": string;
          "id": boolean;
          "key": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "id"?: boolean;
          "key": string;
        };
        Update: {
          "created_at"?: string;
          "id"?: boolean;
          "key"?: string;
        };
        Relationships: [];
      };
      "memory_maintenance_runs": {
        Row: {
          "errors": number;
          "finished_at": string;
          "id": string;
          "started_at": string;
          "tenants": number;
          "totals": NonNullable<Json>;
        };
        ComputedFields: never;
        Insert: {
          "errors": number;
          "finished_at": string;
          "id": string;
          "started_at": string;
          "tenants": number;
          "totals": NonNullable<Json>;
        };
        Update: {
          "errors"?: number;
          "finished_at"?: string;
          "id"?: string;
          "started_at"?: string;
          "tenants"?: number;
          "totals"?: NonNullable<Json>;
        };
        Relationships: [];
      };
      "model_prices": {
        Row: {
          "input_usd_per_mtok": number;
          "model": string;
          "output_usd_per_mtok": number;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "input_usd_per_mtok": number;
          "model": string;
          "output_usd_per_mtok": number;
          "updated_at"?: string;
        };
        Update: {
          "input_usd_per_mtok"?: number;
          "model"?: string;
          "output_usd_per_mtok"?: number;
          "updated_at"?: string;
        };
        Relationships: [];
      };
      "queue_consumers": {
        Row: {
          "expires_at": string;
          "queue_name": string;
          "worker_id": string;
        };
        ComputedFields: never;
        Insert: {
          "expires_at": string;
          "queue_name": string;
          "worker_id": string;
        };
        Update: {
          "expires_at"?: string;
          "queue_name"?: string;
          "worker_id"?: string;
        };
        Relationships: [];
      };
      "queue_deferrals": {
        Row: {
          "created_at": string;
          "msg_id": number;
          "queue_name": string;
          "release_key": string;
          "tenant_id": string;
          "until": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "msg_id": number;
          "queue_name": string;
          "release_key": string;
          "tenant_id": string;
          "until": string;
        };
        Update: {
          "created_at"?: string;
          "msg_id"?: number;
          "queue_name"?: string;
          "release_key"?: string;
          "tenant_id"?: string;
          "until"?: string;
        };
        Relationships: [];
      };
      "queue_errors": {
        Row: {
          "attempts": number;
          "last_error": string;
          "msg_id": number;
          "queue_name": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "attempts"?: number;
          "last_error": string;
          "msg_id": number;
          "queue_name": string;
          "updated_at"?: string;
        };
        Update: {
          "attempts"?: number;
          "last_error"?: string;
          "msg_id"?: number;
          "queue_name"?: string;
          "updated_at"?: string;
        };
        Relationships: [];
      };
      "queue_release_checks": {
        Row: {
          "function_name": string;
          "prefix": string;
        };
        ComputedFields: never;
        Insert: {
          "function_name": string;
          "prefix": string;
        };
        Update: {
          "function_name"?: string;
          "prefix"?: string;
        };
        Relationships: [];
      };
      "queue_turns": {
        Row: {
          "queue_name": string;
          "served_at": string;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "queue_name": string;
          "served_at": string;
          "tenant_id": string;
        };
        Update: {
          "queue_name"?: string;
          "served_at"?: string;
          "tenant_id"?: string;
        };
        Relationships: [];
      };
      "queue_workers": {
        Row: {
          "description": string;
          "function_name": string;
          "max_consumers": number;
          "queue_name": string;
        };
        ComputedFields: never;
        Insert: {
          "description": string;
          "function_name": string;
          "max_consumers"?: number;
          "queue_name": string;
        };
        Update: {
          "description"?: string;
          "function_name"?: string;
          "max_consumers"?: number;
          "queue_name"?: string;
        };
        Relationships: [];
      };
      "rate_counters": {
        Row: {
          "api_key_id": string;
          "hits": number;
          "window_kind": string;
          "window_start": string;
        };
        ComputedFields: never;
        Insert: {
          "api_key_id": string;
          "hits"?: number;
          "window_kind": string;
          "window_start": string;
        };
        Update: {
          "api_key_id"?: string;
          "hits"?: number;
          "window_kind"?: string;
          "window_start"?: string;
        };
        Relationships: [];
      };
      "run_kinds": {
        Row: {
          "concurrency_limit_name": string | null;
          "description": string;
          "event_prefix": string;
          "kind": string;
          "on_deadline": string;
          "queue_name": string;
        };
        ComputedFields: never;
        Insert: {
          "concurrency_limit_name"?: string | null;
          "description": string;
          "event_prefix"?: string;
          "kind": string;
          "on_deadline"?: string;
          "queue_name": string;
        };
        Update: {
          "concurrency_limit_name"?: string | null;
          "description"?: string;
          "event_prefix"?: string;
          "kind"?: string;
          "on_deadline"?: string;
          "queue_name"?: string;
        };
        Relationships: [];
      };
      "secret_access_log": {
        Row: {
          "action": string;
          "at": string;
          "id": number;
          "name": string;
          "purpose": string | null;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "action": string;
          "at"?: string;
          "id"?: never;
          "name": string;
          "purpose"?: string | null;
          "tenant_id": string;
        };
        Update: {
          "action"?: string;
          "at"?: string;
          "id"?: never;
          "name"?: string;
          "purpose"?: string | null;
          "tenant_id"?: string;
        };
        Relationships: [];
      };
      "skill_templates": {
        Row: {
          "description": string;
          "instructions": string;
          "key": string;
          "name": string;
          "pack": string;
          "tools": (string)[];
        };
        ComputedFields: never;
        Insert: {
          "description": string;
          "instructions": string;
          "key": string;
          "name": string;
          "pack": string;
          "tools"?: (string)[];
        };
        Update: {
          "description"?: string;
          "instructions"?: string;
          "key"?: string;
          "name"?: string;
          "pack"?: string;
          "tools"?: (string)[];
        };
        Relationships: [];
      };
      "tenant_secrets": {
        Row: {
          "created_at": string;
          "name": string;
          "origin": string;
          "tenant_id": string;
          "updated_at": string;
          "value_enc": string | null;
          "vault_secret_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "name": string;
          "origin": string;
          "tenant_id": string;
          "updated_at"?: string;
          "value_enc"?: string | null;
          "vault_secret_id"?: string | null;
        };
        Update: {
          "created_at"?: string;
          "name"?: string;
          "origin"?: string;
          "tenant_id"?: string;
          "updated_at"?: string;
          "value_enc"?: string | null;
          "vault_secret_id"?: string | null;
        };
        Relationships: [];
      };
      "tick_jobs": {
        Row: {
          "function_name": string;
          "last_result": Json | null;
          "last_run_at": string | null;
          "name": string;
          "run_order": number;
        };
        ComputedFields: never;
        Insert: {
          "function_name": string;
          "last_result"?: Json | null;
          "last_run_at"?: string | null;
          "name": string;
          "run_order"?: number;
        };
        Update: {
          "function_name"?: string;
          "last_result"?: Json | null;
          "last_run_at"?: string | null;
          "name"?: string;
          "run_order"?: number;
        };
        Relationships: [];
      };
      "webhook_secrets": {
        Row: {
          "created_at": string;
          "expires_at": string | null;
          "id": string;
          "tenant_id": string;
          "value_enc": string | null;
          "vault_secret_id": string | null;
          "webhook_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "expires_at"?: string | null;
          "id"?: string;
          "tenant_id": string;
          "value_enc"?: string | null;
          "vault_secret_id"?: string | null;
          "webhook_id": string;
        };
        Update: {
          "created_at"?: string;
          "expires_at"?: string | null;
          "id"?: string;
          "tenant_id"?: string;
          "value_enc"?: string | null;
          "vault_secret_id"?: string | null;
          "webhook_id"?: string;
        };
        Relationships: [];
      };
    };
    Views: {
      "memory_fts": {
        Row: {
          "agent_id": string | null;
          "asset_id": string | null;
          "cold": boolean;
          "content_tsv": unknown;
          "health": number | null;
          "id": string;
          "memory_status": string | null;
          "memory_type": string | null;
          "metadata": NonNullable<Json>;
          "source_created_at": string;
          "source_id": string;
          "source_type": string;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_id"?: string | null;
          "asset_id"?: string | null;
          "cold"?: boolean | null;
          "content_tsv"?: unknown;
          "health"?: number | null;
          "id"?: string | null;
          "memory_status"?: string | null;
          "memory_type"?: string | null;
          "metadata"?: Json | null;
          "source_created_at"?: string | null;
          "source_id"?: string | null;
          "source_type"?: string | null;
          "tenant_id"?: string | null;
        };
        Update: {
          "agent_id"?: string | null;
          "asset_id"?: string | null;
          "cold"?: boolean | null;
          "content_tsv"?: unknown;
          "health"?: number | null;
          "id"?: string | null;
          "memory_status"?: string | null;
          "memory_type"?: string | null;
          "metadata"?: Json | null;
          "source_created_at"?: string | null;
          "source_id"?: string | null;
          "source_type"?: string | null;
          "tenant_id"?: string | null;
        };
        Relationships: [];
      };
    };
    Functions: {
      "agent_pack_install": { Args: { "pack": string; "tenant_id": string }; Returns: number };
      "agent_snapshot": { Args: { "slug": string; "tenant_id": string }; Returns: Json };
      "api_key_consume": {
        Args: { "api_key_id": string; "client_ip": unknown };
        Returns: {
          "limit_per_minute": number;
          "remaining_minute": number;
          "retry_after": number;
          "status": string;
        }[];
      };
      "api_key_lookup": {
        Args: { "key_prefix": string };
        Returns: {
          "id": string;
          "key_hash": string;
          "scopes": (string)[];
          "tenant_id": string;
        }[];
      };
      "api_key_usage_record": { Args: { "uses": Json }; Returns: undefined };
      "approval_audit": {
        Args: {
          "approval": Omit<
            Database["public"]["Tables"]["approvals"]["Row"],
            Database["public"]["Tables"]["approvals"]["ComputedFields"]
          >;
        };
        Returns: undefined;
      };
      "approval_check_waitpoint": { Args: { "waitpoint_id": string }; Returns: undefined };
      "approval_decide": {
        Args: {
          "approval_id": string;
          "decider": Json;
          "decision": string;
          "expected_hash"?: string;
          "reason": string;
          "tenant_id": string;
        };
        Returns: Database["public"]["Tables"]["approvals"]["Row"];
        SetofOptions: {
          from: "*";
          to: "approvals";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "approval_expire": {
        Args: {
          "approval": Omit<
            Database["public"]["Tables"]["approvals"]["Row"],
            Database["public"]["Tables"]["approvals"]["ComputedFields"]
          >;
        };
        Returns: undefined;
      };
      "approval_lock": {
        Args: { "approval_id": string; "tenant_id": string };
        Returns: Database["public"]["Tables"]["approvals"]["Row"];
        SetofOptions: {
          from: "*";
          to: "approvals";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "approval_resolve_waits": {
        Args: {
          "approval": Omit<
            Database["public"]["Tables"]["approvals"]["Row"],
            Database["public"]["Tables"]["approvals"]["ComputedFields"]
          >;
        };
        Returns: number;
      };
      "approval_result": {
        Args: {
          "approval": Omit<
            Database["public"]["Tables"]["approvals"]["Row"],
            Database["public"]["Tables"]["approvals"]["ComputedFields"]
          >;
        };
        Returns: Json;
      };
      "approvals_expire_due": { Args: Record<PropertyKey, never>; Returns: number };
      "approvers_available": {
        Args: {
          "requested_by_key_id": string;
          "requested_by_user_id": string;
          "tenant_id": string;
        };
        Returns: (string)[];
      };
      "automation_fire": {
        Args: { "automation_id": string; "opts"?: Json; "tenant_id": string; "trigger": Json };
        Returns: Json;
      };
      "automation_hook_accept": {
        Args: { "automation_id": string; "webhook_id": string };
        Returns: boolean;
      };
      "automation_hook_secret": {
        Args: { "automation_id": string };
        Returns: {
          "secret": string;
          "status": string;
          "tenant_id": string;
        }[];
      };
      "automation_hook_set": {
        Args: { "automation_id": string; "secret": string; "tenant_id": string };
        Returns: undefined;
      };
      "automation_schedule_set": {
        Args: {
          "automation_id": string;
          "next_run_at": string;
          "only_if_unset"?: boolean;
          "tenant_id": string;
        };
        Returns: boolean;
      };
      "automation_window_take": { Args: { "run_id": string; "tenant_id": string }; Returns: Json };
      "automations_schedule_due": { Args: Record<PropertyKey, never>; Returns: number };
      "automations_want": { Args: { "event_type": string; "tenant_id": string }; Returns: boolean };
      "breaker_allow": {
        Args: { "key": string; "tenant_id": string };
        Returns: {
          "allowed": boolean;
          "retry_in_ms": number;
          "state": string;
        }[];
      };
      "breaker_record": {
        Args: {
          "error"?: string;
          "key": string;
          "ok": boolean;
          "retry_after_seconds"?: number;
          "tenant_id": string;
        };
        Returns: string;
      };
      "breaker_released": {
        Args: { "release_key": string; "tenant_id": string };
        Returns: boolean;
      };
      "budget_assert": { Args: { "tenant_id": string }; Returns: undefined };
      "budget_status": {
        Args: { "tenant_id": string };
        Returns: {
          "budget_usd": number;
          "hard_limit": boolean;
          "period": string;
          "spent_usd": number;
        }[];
      };
      "cleanup": { Args: Record<PropertyKey, never>; Returns: Json };
      "delivery_enqueue": {
        Args: { "delivery_id": string; "kind": string; "priority"?: number; "tenant_id": string };
        Returns: number;
      };
      "delivery_schedule": { Args: { "schedule"?: Json }; Returns: (number)[] };
      "director_review": { Args: { "stall_after"?: string }; Returns: number };
      "event_emit": {
        Args: { "event_type": string; "payload": Json; "source": string; "tenant_id": string };
        Returns: undefined;
      };
      "function_invoke": { Args: { "body"?: Json; "function_name": string }; Returns: undefined };
      "integration_acquire": {
        Args: {
          "holder": string;
          "integration": string;
          "lease_seconds"?: number;
          "tenant_id": string;
        };
        Returns: {
          "ok": boolean;
          "reason": string;
          "retry_in_ms": number;
        }[];
      };
      "integration_limits_cleanup": { Args: Record<PropertyKey, never>; Returns: number };
      "integration_release": {
        Args: { "holder": string; "integration": string; "tenant_id": string };
        Returns: undefined;
      };
      "local_encryption_key": { Args: Record<PropertyKey, never>; Returns: string };
      "lock_down": { Args: Record<PropertyKey, never>; Returns: undefined };
      "member_resolve": {
        Args: { "requested_tenant": string; "user_id": string };
        Returns: {
          "memberships": number;
          "role": string;
          "tenant_id": string;
        }[];
      };
      "memory_chunks": {
        Args: { "content": string; "max_chars"?: number; "overlap"?: number };
        Returns: {
          "chunk": string;
          "chunk_index": number;
        }[];
      };
      "memory_content_text": { Args: { "content": Json }; Returns: string };
      "memory_embed_send": {
        Args: { "chunk_ids": (string)[]; "tenant_id": string };
        Returns: number;
      };
      "memory_embedding_dimensions": { Args: Record<PropertyKey, never>; Returns: number };
      "memory_embedding_usage": {
        Args: {
          "chunks": number;
          "model": string;
          "provider": string;
          "tenant_id": string;
          "tokens": number;
        };
        Returns: string;
      };
      "memory_health": {
        Args: {
          "access_count": number;
          "at": string;
          "avg_relevance": number;
          "contradiction_count": number;
          "created_at": string;
          "expires_at": string;
          "importance": number;
          "retrieval_count": number;
          "superseded": boolean;
        };
        Returns: number;
      };
      "memory_index_put": {
        Args: {
          "attrs"?: Json;
          "content": string;
          "source_id": string;
          "source_type": string;
          "tenant_id": string;
          "title": string;
        };
        Returns: number;
      };
      "memory_maintain_tenant": { Args: { "run_id": string; "tenant_id": string }; Returns: Json };
      "memory_maintenance": { Args: { "only_tenant"?: string }; Returns: Json };
      "memory_reindex": { Args: { "model": string; "tenant_id": string }; Returns: number };
      "metric_aggregate": {
        Args: {
          "aggregation": string;
          "dimensions"?: Json;
          "name": string;
          "since": string;
          "tenant_id": string;
          "until": string;
        };
        Returns: number;
      };
      "notification_create": { Args: { "n": Json; "tenant_id": string }; Returns: string };
      "notifications_cleanup": { Args: Record<PropertyKey, never>; Returns: Json };
      "queue_ack": { Args: { "msg_id": number; "queue_name": string }; Returns: boolean };
      "queue_candidates": {
        Args: { "qty": number; "queue_name": string };
        Returns: {
          "msg_id": number;
          "tenant_id": string;
        }[];
      };
      "queue_candidates__agent_jobs": {
        Args: { "qty": number };
        Returns: {
          "msg_id": number;
          "tenant_id": string;
        }[];
      };
      "queue_candidates__automations": {
        Args: { "qty": number };
        Returns: {
          "msg_id": number;
          "tenant_id": string;
        }[];
      };
      "queue_candidates__deliveries": {
        Args: { "qty": number };
        Returns: {
          "msg_id": number;
          "tenant_id": string;
        }[];
      };
      "queue_candidates__embeddings": {
        Args: { "qty": number };
        Returns: {
          "msg_id": number;
          "tenant_id": string;
        }[];
      };
      "queue_candidates__events": {
        Args: { "qty": number };
        Returns: {
          "msg_id": number;
          "tenant_id": string;
        }[];
      };
      "queue_candidates__tool_calls": {
        Args: { "qty": number };
        Returns: {
          "msg_id": number;
          "tenant_id": string;
        }[];
      };
      "queue_claim": {
        Args: { "max_attempts"?: number; "qty": number; "queue_name": string; "vt": number };
        Returns: unknown[];
        SetofOptions: {
          from: "*";
          to: "message_record";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "queue_consumer_done": {
        Args: { "queue_name": string; "worker_id": string };
        Returns: undefined;
      };
      "queue_dead_letter": {
        Args: { "error": string; "msg_id": number; "queue_name": string };
        Returns: boolean;
      };
      "queue_defer": {
        Args: {
          "delay_seconds": number;
          "msg_id": number;
          "queue_name": string;
          "release_key"?: string;
          "tenant_id": string;
        };
        Returns: boolean;
      };
      "queue_dlq_name": { Args: { "queue_name": string }; Returns: string };
      "queue_ensure": { Args: { "queue_name": string }; Returns: undefined };
      "queue_fail": {
        Args: {
          "error": string;
          "msg_id": number;
          "queue_name": string;
          "retry_in_seconds"?: number;
        };
        Returns: boolean;
      };
      "queue_heartbeat": {
        Args: { "msg_ids": (number)[]; "queue_name": string; "vt": number; "worker_id"?: string };
        Returns: number[];
      };
      "queue_message_malformed": { Args: { "message": Json }; Returns: boolean };
      "queue_move_to_dlq": {
        Args: { "error": string; "msg": unknown; "queue_name": string };
        Returns: undefined;
      };
      "queue_next_visible_in": { Args: { "queue_name": string }; Returns: number };
      "queue_read": {
        Args: { "max_attempts"?: number; "qty": number; "queue_name": string; "vt": number };
        Returns: unknown[];
        SetofOptions: {
          from: "*";
          to: "message_record";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "queue_register": {
        Args: {
          "description": string;
          "function_name": string;
          "max_consumers"?: number;
          "queue_name": string;
        };
        Returns: undefined;
      };
      "queue_release": { Args: { "release_key": string; "tenant_id": string }; Returns: number };
      "queue_turn_taken": {
        Args: { "queue_name": string; "tenant_id": string };
        Returns: undefined;
      };
      "queue_wake": { Args: { "queue_name": string; "reason"?: string }; Returns: undefined };
      "queue_wake_stalled": { Args: Record<PropertyKey, never>; Returns: number };
      "queues_quarantine": { Args: Record<PropertyKey, never>; Returns: number };
      "request_log_write": { Args: { "rows": Json }; Returns: number };
      "run_cancel": {
        Args: { "reason"?: string; "run_id": string; "tenant_id": string };
        Returns: number;
      };
      "run_complete": {
        Args: { "msg_id": number; "output": Json; "run_id": string; "tenant_id": string };
        Returns: string;
      };
      "run_create": {
        Args: { "spec": Json; "tenant_id": string };
        Returns: Database["public"]["Tables"]["runs"]["Row"];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "run_defer": {
        Args: {
          "delay_seconds": number;
          "msg_id": number;
          "reason": string;
          "release_key"?: string;
          "run_id": string;
          "tenant_id": string;
        };
        Returns: boolean;
      };
      "run_enqueue": {
        Args: { "delay_seconds"?: number; "run_id": string; "tenant_id": string };
        Returns: number;
      };
      "run_event": {
        Args: {
          "extra"?: Json;
          "run": Omit<
            Database["public"]["Tables"]["runs"]["Row"],
            Database["public"]["Tables"]["runs"]["ComputedFields"]
          >;
          "what": string;
        };
        Returns: undefined;
      };
      "run_fail": {
        Args: {
          "error": Json;
          "msg_id": number;
          "retry_in_seconds": number;
          "retryable": boolean;
          "run_id": string;
          "tenant_id": string;
        };
        Returns: string;
      };
      "run_fork": {
        Args: {
          "created_by"?: string;
          "from_seq": number;
          "input"?: Json;
          "run_id": string;
          "tenant_id": string;
        };
        Returns: Database["public"]["Tables"]["runs"]["Row"];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "run_is_terminal": { Args: { "status": string }; Returns: boolean };
      "run_park": {
        Args: {
          "mode": string;
          "msg_id": number;
          "run_id": string;
          "step_key": string;
          "tenant_id": string;
          "waits": Json;
        };
        Returns: Json;
      };
      "run_step_record": {
        Args: { "run_id": string; "step": Json; "tenant_id": string };
        Returns: number;
      };
      "runs_claim": {
        Args: { "qty": number; "queue_name": string; "vt": number; "worker_id": string };
        Returns: {
          "attempt": number;
          "code_version": string;
          "input": Json;
          "kind": string;
          "msg_id": number;
          "resumed": boolean;
          "run_id": string;
          "steps": Json;
          "tenant_id": string;
          "tenant_settings": Json;
        }[];
      };
      "runs_deadline_sweep": { Args: Record<PropertyKey, never>; Returns: number };
      "runs_heartbeat": {
        Args: { "msg_ids": (number)[]; "queue_name": string; "vt": number; "worker_id": string };
        Returns: string[];
      };
      "secret_delete": { Args: { "name": string; "tenant_id": string }; Returns: boolean };
      "secret_get": {
        Args: { "name": string; "origin": string; "purpose": string; "tenant_id": string };
        Returns: {
          "bound_origin": string;
          "value": string;
        }[];
      };
      "secret_list": {
        Args: { "tenant_id": string };
        Returns: {
          "created_at": string;
          "name": string;
          "origin": string;
          "updated_at": string;
        }[];
      };
      "secret_set": {
        Args: { "name": string; "origin": string; "tenant_id": string; "value": string };
        Returns: undefined;
      };
      "session_coordination": { Args: { "run_id": string }; Returns: string };
      "session_spawn": {
        Args: { "spec": Json; "tenant_id": string };
        Returns: Database["public"]["Tables"]["runs"]["Row"];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "session_spawn_orchestration": {
        Args: { "spec": Json; "tenant_id": string };
        Returns: Database["public"]["Tables"]["runs"]["Row"][];
        SetofOptions: {
          from: "*";
          to: "runs";
          isOneToOne: false;
          isSetofReturn: true;
        };
      };
      "task_advance": { Args: { "tenant_id": string }; Returns: number };
      "task_finish": {
        Args: {
          "error": string;
          "outcome": string;
          "output": Json;
          "task_id": string;
          "tenant_id": string;
        };
        Returns: undefined;
      };
      "task_retry": { Args: { "task_id": string; "tenant_id": string }; Returns: undefined };
      "tasks_sweep": { Args: Record<PropertyKey, never>; Returns: number };
      "tenant_id": { Args: Record<PropertyKey, never>; Returns: string };
      "tenant_limit": { Args: { "name": string; "tenant_id": string }; Returns: number };
      "tenant_limits": { Args: { "tenant_id": string }; Returns: Json };
      "text_is_uuid": { Args: { "value": string }; Returns: boolean };
      "threshold_check": { Args: { "automation_id": string }; Returns: string };
      "thresholds_due": { Args: Record<PropertyKey, never>; Returns: number };
      "tick": { Args: Record<PropertyKey, never>; Returns: Json };
      "tick_register": {
        Args: { "function_name": string; "name": string; "run_order"?: number };
        Returns: undefined;
      };
      "tool_args_hash": { Args: { "arguments": Json }; Returns: string };
      "tool_audit_write": { Args: { "entry": Json; "tenant_id": string }; Returns: string };
      "tool_call_create": {
        Args: { "spec": Json; "tenant_id": string };
        Returns: Database["public"]["Tables"]["tool_calls"]["Row"];
        SetofOptions: {
          from: "*";
          to: "tool_calls";
          isOneToOne: true;
          isSetofReturn: false;
        };
      };
      "tool_call_finish": {
        Args: { "outcome": Json; "tenant_id": string; "tool_call_id": string };
        Returns: boolean;
      };
      "tool_call_requeue": {
        Args: { "error": Json; "tenant_id": string; "tool_call_id": string };
        Returns: boolean;
      };
      "tool_call_start": {
        Args: { "msg_id": number; "tenant_id": string; "tool_call_id": string };
        Returns: Json;
      };
      "tool_call_submit": { Args: { "spec": Json; "tenant_id": string }; Returns: Json };
      "tool_calls_sweep": { Args: Record<PropertyKey, never>; Returns: number };
      "tool_gate_context": {
        Args: {
          "asset_id": string;
          "integration": string;
          "requester": Json;
          "run_id": string;
          "tenant_id": string;
          "tool": string;
        };
        Returns: Json;
      };
      "tool_gate_record": { Args: { "rec": Json; "tenant_id": string }; Returns: Json };
      "usage_record": { Args: { "tenant_id": string; "usage": Json }; Returns: string };
      "waitpoint_resolve": {
        Args: { "result": Json; "status": string; "waitpoint_id": string };
        Returns: boolean;
      };
      "waitpoint_step_check": {
        Args: { "resume": boolean; "run_id": string; "step_key": string };
        Returns: Json;
      };
      "waitpoint_token_complete": {
        Args: { "result": Json; "tenant_id": string; "token_hash": string };
        Returns: {
          "run_id": string;
          "status": string;
          "waitpoint_id": string;
        }[];
      };
      "waitpoint_token_create": {
        Args: { "run_id": string; "tenant_id": string; "timeout_at": string; "token_hash": string };
        Returns: string;
      };
      "waitpoints_cancel": { Args: { "run_id": string; "tenant_id": string }; Returns: number };
      "waitpoints_due": { Args: Record<PropertyKey, never>; Returns: number };
      "waitpoints_on_run_finished": {
        Args: { "run_id": string; "tenant_id": string };
        Returns: undefined;
      };
      "webhook_dispatch": {
        Args: { "event": Json; "tenant_id": string; "webhook_ids": (string)[] };
        Returns: number;
      };
      "webhook_event_patterns": { Args: { "event_type": string }; Returns: (string)[] };
      "webhook_secret_rotate": {
        Args: { "overlap_seconds"?: number; "tenant_id": string; "webhook_id": string };
        Returns: {
          "previous_expires_at": string;
          "secret": string;
        }[];
      };
      "webhook_signing_secrets": {
        Args: { "tenant_id": string; "webhook_id": string };
        Returns: string[];
      };
      "webhooks_cleanup": { Args: Record<PropertyKey, never>; Returns: Json };
      "webhooks_want": { Args: { "event_type": string; "tenant_id": string }; Returns: boolean };
    };
    Enums: {
      [_ in never]: never;
    };
    CompositeTypes: {
      [_ in never]: never;
    };
  };
  "public": {
    Tables: {
      "agent_memory": {
        Row: {
          "access_count": number;
          "agent_id": string | null;
          "archived_at": string | null;
          "avg_relevance": number;
          "content": NonNullable<Json>;
          "contradiction_count": number;
          "created_at": string;
          "expires_at": string | null;
          "health_score": number;
          "id": string;
          "importance": number;
          "is_archived": boolean;
          "is_dirty": boolean;
          "key": string;
          "last_accessed_at": string | null;
          "memory_type": string;
          "metadata": NonNullable<Json>;
          "retrieval_count": number;
          "source": string;
          "summary": string | null;
          "superseded_at": string | null;
          "superseded_by": string | null;
          "sync_id": string | null;
          "synced_at": string | null;
          "tenant_id": string;
          "tier": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "access_count"?: number;
          "agent_id"?: string | null;
          "archived_at"?: string | null;
          "avg_relevance"?: number;
          "content": NonNullable<Json>;
          "contradiction_count"?: number;
          "created_at"?: string;
          "expires_at"?: string | null;
          "health_score"?: number;
          "id"?: string;
          "importance"?: number;
          "is_archived"?: boolean;
          "is_dirty"?: boolean;
          "key": string;
          "last_accessed_at"?: string | null;
          "memory_type": string;
          "metadata"?: NonNullable<Json>;
          "retrieval_count"?: number;
          "source"?: string;
          "summary"?: string | null;
          "superseded_at"?: string | null;
          "superseded_by"?: string | null;
          "sync_id"?: string | null;
          "synced_at"?: string | null;
          "tenant_id": string;
          "tier"?: string;
          "updated_at"?: string;
        };
        Update: {
          "access_count"?: number;
          "agent_id"?: string | null;
          "archived_at"?: string | null;
          "avg_relevance"?: number;
          "content"?: NonNullable<Json>;
          "contradiction_count"?: number;
          "created_at"?: string;
          "expires_at"?: string | null;
          "health_score"?: number;
          "id"?: string;
          "importance"?: number;
          "is_archived"?: boolean;
          "is_dirty"?: boolean;
          "key"?: string;
          "last_accessed_at"?: string | null;
          "memory_type"?: string;
          "metadata"?: NonNullable<Json>;
          "retrieval_count"?: number;
          "source"?: string;
          "summary"?: string | null;
          "superseded_at"?: string | null;
          "superseded_by"?: string | null;
          "sync_id"?: string | null;
          "synced_at"?: string | null;
          "tenant_id"?: string;
          "tier"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "agent_memory_agent_id_fkey";
            columns: ["agent_id"];
            isOneToOne: false;
            referencedRelation: "agents";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_memory_superseded_by_fkey";
            columns: ["superseded_by"];
            isOneToOne: false;
            referencedRelation: "agent_memory";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_memory_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "agent_personas": {
        Row: {
          "agent_id": string;
          "created_at": string;
          "id": string;
          "persona": string;
          "tenant_id": string;
          "version": number;
        };
        ComputedFields: never;
        Insert: {
          "agent_id": string;
          "created_at"?: string;
          "id"?: string;
          "persona": string;
          "tenant_id": string;
          "version": number;
        };
        Update: {
          "agent_id"?: string;
          "created_at"?: string;
          "id"?: string;
          "persona"?: string;
          "tenant_id"?: string;
          "version"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "agent_personas_agent_id_fkey";
            columns: ["agent_id"];
            isOneToOne: false;
            referencedRelation: "agents";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_personas_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "agent_tasks": {
        Row: {
          "assigned_agent": string | null;
          "attempt_count": number;
          "blocked_by": string | null;
          "completed_at": string | null;
          "created_at": string;
          "deadline_at": string | null;
          "delegated_by": string | null;
          "description": string | null;
          "duration_ms": number | null;
          "error_message": string | null;
          "estimated_cost": number | null;
          "id": string;
          "input": NonNullable<Json>;
          "instructions": Json | null;
          "last_attempt_at": string | null;
          "max_attempts": number;
          "output": Json | null;
          "parent_task_id": string | null;
          "priority": number;
          "related_post_id": string | null;
          "scheduled_for": string | null;
          "session_id": string | null;
          "source": string;
          "started_at": string | null;
          "status": string;
          "status_message": string | null;
          "task_type": string;
          "tenant_id": string;
          "title": string;
          "tokens_used": number | null;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "assigned_agent"?: string | null;
          "attempt_count"?: number;
          "blocked_by"?: string | null;
          "completed_at"?: string | null;
          "created_at"?: string;
          "deadline_at"?: string | null;
          "delegated_by"?: string | null;
          "description"?: string | null;
          "duration_ms"?: number | null;
          "error_message"?: string | null;
          "estimated_cost"?: number | null;
          "id"?: string;
          "input"?: NonNullable<Json>;
          "instructions"?: Json | null;
          "last_attempt_at"?: string | null;
          "max_attempts"?: number;
          "output"?: Json | null;
          "parent_task_id"?: string | null;
          "priority"?: number;
          "related_post_id"?: string | null;
          "scheduled_for"?: string | null;
          "session_id"?: string | null;
          "source"?: string;
          "started_at"?: string | null;
          "status"?: string;
          "status_message"?: string | null;
          "task_type"?: string;
          "tenant_id": string;
          "title": string;
          "tokens_used"?: number | null;
          "updated_at"?: string;
        };
        Update: {
          "assigned_agent"?: string | null;
          "attempt_count"?: number;
          "blocked_by"?: string | null;
          "completed_at"?: string | null;
          "created_at"?: string;
          "deadline_at"?: string | null;
          "delegated_by"?: string | null;
          "description"?: string | null;
          "duration_ms"?: number | null;
          "error_message"?: string | null;
          "estimated_cost"?: number | null;
          "id"?: string;
          "input"?: NonNullable<Json>;
          "instructions"?: Json | null;
          "last_attempt_at"?: string | null;
          "max_attempts"?: number;
          "output"?: Json | null;
          "parent_task_id"?: string | null;
          "priority"?: number;
          "related_post_id"?: string | null;
          "scheduled_for"?: string | null;
          "session_id"?: string | null;
          "source"?: string;
          "started_at"?: string | null;
          "status"?: string;
          "status_message"?: string | null;
          "task_type"?: string;
          "tenant_id"?: string;
          "title"?: string;
          "tokens_used"?: number | null;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "agent_tasks_blocked_by_fkey";
            columns: ["blocked_by"];
            isOneToOne: false;
            referencedRelation: "agent_tasks";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_tasks_parent_task_id_fkey";
            columns: ["parent_task_id"];
            isOneToOne: false;
            referencedRelation: "agent_tasks";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_tasks_related_post_id_fkey";
            columns: ["related_post_id"];
            isOneToOne: false;
            referencedRelation: "blog_posts";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_tasks_session_id_fkey";
            columns: ["session_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_tasks_session_id_fkey";
            columns: ["session_id"];
            isOneToOne: false;
            referencedRelation: "automation_runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_tasks_session_id_fkey";
            columns: ["session_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_tasks_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "agents": {
        Row: {
          "allowed_tools": (string)[];
          "can_spawn": boolean;
          "created_at": string;
          "description": string | null;
          "expires_at": string | null;
          "id": string;
          "is_active": boolean;
          "kind": string;
          "memory_types": (string)[];
          "metadata": NonNullable<Json>;
          "model_settings": NonNullable<Json>;
          "name": string;
          "pack": string | null;
          "parent_agent_id": string | null;
          "persona": string;
          "persona_version": number;
          "skills": (string)[];
          "slug": string;
          "tenant_id": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "allowed_tools"?: (string)[];
          "can_spawn"?: boolean;
          "created_at"?: string;
          "description"?: string | null;
          "expires_at"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "kind"?: string;
          "memory_types"?: (string)[];
          "metadata"?: NonNullable<Json>;
          "model_settings"?: NonNullable<Json>;
          "name": string;
          "pack"?: string | null;
          "parent_agent_id"?: string | null;
          "persona"?: string;
          "persona_version"?: number;
          "skills"?: (string)[];
          "slug": string;
          "tenant_id": string;
          "updated_at"?: string;
        };
        Update: {
          "allowed_tools"?: (string)[];
          "can_spawn"?: boolean;
          "created_at"?: string;
          "description"?: string | null;
          "expires_at"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "kind"?: string;
          "memory_types"?: (string)[];
          "metadata"?: NonNullable<Json>;
          "model_settings"?: NonNullable<Json>;
          "name"?: string;
          "pack"?: string | null;
          "parent_agent_id"?: string | null;
          "persona"?: string;
          "persona_version"?: number;
          "skills"?: (string)[];
          "slug"?: string;
          "tenant_id"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "agents_parent_agent_id_fkey";
            columns: ["parent_agent_id"];
            isOneToOne: false;
            referencedRelation: "agents";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agents_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "api_keys": {
        Row: {
          "agent_id": string | null;
          "allowed_ips": (unknown)[];
          "created_at": string;
          "created_by": string | null;
          "description": string | null;
          "expires_at": string | null;
          "id": string;
          "is_active": boolean;
          "key_hash": string;
          "key_prefix": string;
          "last_used_at": string | null;
          "last_used_ip": unknown;
          "name": string;
          "rate_limit_per_day": number;
          "rate_limit_per_minute": number;
          "revoked_at": string | null;
          "revoked_reason": string | null;
          "rotated_from": string | null;
          "scopes": (string)[];
          "tenant_id": string;
          "total_requests": number;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_id"?: string | null;
          "allowed_ips"?: (unknown)[];
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "expires_at"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "key_hash": string;
          "key_prefix": string;
          "last_used_at"?: string | null;
          "last_used_ip"?: unknown;
          "name": string;
          "rate_limit_per_day"?: number;
          "rate_limit_per_minute"?: number;
          "revoked_at"?: string | null;
          "revoked_reason"?: string | null;
          "rotated_from"?: string | null;
          "scopes"?: (string)[];
          "tenant_id": string;
          "total_requests"?: number;
          "updated_at"?: string;
        };
        Update: {
          "agent_id"?: string | null;
          "allowed_ips"?: (unknown)[];
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "expires_at"?: string | null;
          "id"?: string;
          "is_active"?: boolean;
          "key_hash"?: string;
          "key_prefix"?: string;
          "last_used_at"?: string | null;
          "last_used_ip"?: unknown;
          "name"?: string;
          "rate_limit_per_day"?: number;
          "rate_limit_per_minute"?: number;
          "revoked_at"?: string | null;
          "revoked_reason"?: string | null;
          "rotated_from"?: string | null;
          "scopes"?: (string)[];
          "tenant_id"?: string;
          "total_requests"?: number;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "api_keys_rotated_from_fkey";
            columns: ["rotated_from"];
            isOneToOne: false;
            referencedRelation: "api_keys";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "api_keys_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "approvals": {
        Row: {
          "agent": string | null;
          "approver_roles": (string)[];
          "args_hash": string;
          "arguments": NonNullable<Json>;
          "created_at": string;
          "decided_at": string | null;
          "decided_by": string | null;
          "decided_by_key_id": string | null;
          "decided_by_user_id": string | null;
          "decision": NonNullable<Json>;
          "expires_at": string;
          "id": string;
          "mode": string;
          "reason": string | null;
          "request_key": string;
          "requested_by": string | null;
          "requested_by_key_id": string | null;
          "requested_by_user_id": string | null;
          "risk_class": string;
          "risk_score": number;
          "run_id": string | null;
          "status": string;
          "step_key": string | null;
          "tenant_id": string;
          "tool": string;
          "tool_call_id": string | null;
          "updated_at": string;
          "used_at": string | null;
        };
        ComputedFields: never;
        Insert: {
          "agent"?: string | null;
          "approver_roles"?: (string)[];
          "args_hash": string;
          "arguments": NonNullable<Json>;
          "created_at"?: string;
          "decided_at"?: string | null;
          "decided_by"?: string | null;
          "decided_by_key_id"?: string | null;
          "decided_by_user_id"?: string | null;
          "decision"?: NonNullable<Json>;
          "expires_at": string;
          "id"?: string;
          "mode": string;
          "reason"?: string | null;
          "request_key": string;
          "requested_by"?: string | null;
          "requested_by_key_id"?: string | null;
          "requested_by_user_id"?: string | null;
          "risk_class": string;
          "risk_score"?: number;
          "run_id"?: string | null;
          "status"?: string;
          "step_key"?: string | null;
          "tenant_id": string;
          "tool": string;
          "tool_call_id"?: string | null;
          "updated_at"?: string;
          "used_at"?: string | null;
        };
        Update: {
          "agent"?: string | null;
          "approver_roles"?: (string)[];
          "args_hash"?: string;
          "arguments"?: NonNullable<Json>;
          "created_at"?: string;
          "decided_at"?: string | null;
          "decided_by"?: string | null;
          "decided_by_key_id"?: string | null;
          "decided_by_user_id"?: string | null;
          "decision"?: NonNullable<Json>;
          "expires_at"?: string;
          "id"?: string;
          "mode"?: string;
          "reason"?: string | null;
          "request_key"?: string;
          "requested_by"?: string | null;
          "requested_by_key_id"?: string | null;
          "requested_by_user_id"?: string | null;
          "risk_class"?: string;
          "risk_score"?: number;
          "run_id"?: string | null;
          "status"?: string;
          "step_key"?: string | null;
          "tenant_id"?: string;
          "tool"?: string;
          "tool_call_id"?: string | null;
          "updated_at"?: string;
          "used_at"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "approvals_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "approvals_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "automation_runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "approvals_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "approvals_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "automations": {
        Row: {
          "actions": NonNullable<Json>;
          "avg_duration_ms": number | null;
          "category": string;
          "conditions": Json | null;
          "cooldown_seconds": number;
          "created_at": string;
          "created_by": string | null;
          "description": string | null;
          "event_names": (string)[];
          "failed_runs": number;
          "id": string;
          "last_error": string | null;
          "last_error_at": string | null;
          "last_run_at": string | null;
          "last_success_at": string | null;
          "max_retries": number;
          "max_runs_per_day": number | null;
          "max_runs_per_hour": number | null;
          "metadata": NonNullable<Json>;
          "name": string;
          "next_run_at": string | null;
          "on_error": string;
          "retry_delay_seconds": number;
          "run_scopes": (string)[];
          "skipped_runs": number;
          "slug": string;
          "status": string;
          "status_reason": string | null;
          "successful_runs": number;
          "tags": (string)[];
          "tenant_id": string;
          "threshold_state": NonNullable<Json>;
          "total_runs": number;
          "trigger_config": NonNullable<Json>;
          "trigger_type": string;
          "updated_at": string;
          "version": number;
        };
        ComputedFields: never;
        Insert: {
          "actions"?: NonNullable<Json>;
          "avg_duration_ms"?: number | null;
          "category"?: string;
          "conditions"?: Json | null;
          "cooldown_seconds"?: number;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "event_names"?: (string)[];
          "failed_runs"?: number;
          "id"?: string;
          "last_error"?: string | null;
          "last_error_at"?: string | null;
          "last_run_at"?: string | null;
          "last_success_at"?: string | null;
          "max_retries"?: number;
          "max_runs_per_day"?: number | null;
          "max_runs_per_hour"?: number | null;
          "metadata"?: NonNullable<Json>;
          "name": string;
          "next_run_at"?: string | null;
          "on_error"?: string;
          "retry_delay_seconds"?: number;
          "run_scopes"?: (string)[];
          "skipped_runs"?: number;
          "slug": string;
          "status"?: string;
          "status_reason"?: string | null;
          "successful_runs"?: number;
          "tags"?: (string)[];
          "tenant_id": string;
          "threshold_state"?: NonNullable<Json>;
          "total_runs"?: number;
          "trigger_config"?: NonNullable<Json>;
          "trigger_type": string;
          "updated_at"?: string;
          "version"?: number;
        };
        Update: {
          "actions"?: NonNullable<Json>;
          "avg_duration_ms"?: number | null;
          "category"?: string;
          "conditions"?: Json | null;
          "cooldown_seconds"?: number;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "event_names"?: (string)[];
          "failed_runs"?: number;
          "id"?: string;
          "last_error"?: string | null;
          "last_error_at"?: string | null;
          "last_run_at"?: string | null;
          "last_success_at"?: string | null;
          "max_retries"?: number;
          "max_runs_per_day"?: number | null;
          "max_runs_per_hour"?: number | null;
          "metadata"?: NonNullable<Json>;
          "name"?: string;
          "next_run_at"?: string | null;
          "on_error"?: string;
          "retry_delay_seconds"?: number;
          "run_scopes"?: (string)[];
          "skipped_runs"?: number;
          "slug"?: string;
          "status"?: string;
          "status_reason"?: string | null;
          "successful_runs"?: number;
          "tags"?: (string)[];
          "tenant_id"?: string;
          "threshold_state"?: NonNullable<Json>;
          "total_runs"?: number;
          "trigger_config"?: NonNullable<Json>;
          "trigger_type"?: string;
          "updated_at"?: string;
          "version"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "automations_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "blog_posts": {
        Row: {
          "author": string | null;
          "content": string;
          "created_at": string;
          "excerpt": string | null;
          "featured_image": string | null;
          "id": string;
          "metadata": NonNullable<Json>;
          "published_at": string | null;
          "scheduled_for": string | null;
          "seo_description": string | null;
          "seo_title": string | null;
          "slug": string;
          "status": string;
          "tags": (string)[];
          "tenant_id": string;
          "title": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "author"?: string | null;
          "content"?: string;
          "created_at"?: string;
          "excerpt"?: string | null;
          "featured_image"?: string | null;
          "id"?: string;
          "metadata"?: NonNullable<Json>;
          "published_at"?: string | null;
          "scheduled_for"?: string | null;
          "seo_description"?: string | null;
          "seo_title"?: string | null;
          "slug": string;
          "status"?: string;
          "tags"?: (string)[];
          "tenant_id": string;
          "title": string;
          "updated_at"?: string;
        };
        Update: {
          "author"?: string | null;
          "content"?: string;
          "created_at"?: string;
          "excerpt"?: string | null;
          "featured_image"?: string | null;
          "id"?: string;
          "metadata"?: NonNullable<Json>;
          "published_at"?: string | null;
          "scheduled_for"?: string | null;
          "seo_description"?: string | null;
          "seo_title"?: string | null;
          "slug"?: string;
          "status"?: string;
          "tags"?: (string)[];
          "tenant_id"?: string;
          "title"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "blog_posts_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "budget_alerts": {
        Row: {
          "budget_usd": number;
          "fired_at": string;
          "period": string;
          "spent_usd": number;
          "tenant_id": string;
          "threshold": number;
        };
        ComputedFields: never;
        Insert: {
          "budget_usd": number;
          "fired_at"?: string;
          "period": string;
          "spent_usd": number;
          "tenant_id": string;
          "threshold": number;
        };
        Update: {
          "budget_usd"?: number;
          "fired_at"?: string;
          "period"?: string;
          "spent_usd"?: number;
          "tenant_id"?: string;
          "threshold"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "budget_alerts_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "circuit_breakers": {
        Row: {
          "cooldown_seconds": number;
          "fail_count": number;
          "failure_threshold": number;
          "id": string;
          "key": string;
          "last_error": string | null;
          "open_until": string | null;
          "opened_at": string | null;
          "opened_count": number;
          "probe_until": string | null;
          "state": string;
          "tenant_id": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "cooldown_seconds"?: number;
          "fail_count"?: number;
          "failure_threshold"?: number;
          "id"?: string;
          "key": string;
          "last_error"?: string | null;
          "open_until"?: string | null;
          "opened_at"?: string | null;
          "opened_count"?: number;
          "probe_until"?: string | null;
          "state"?: string;
          "tenant_id": string;
          "updated_at"?: string;
        };
        Update: {
          "cooldown_seconds"?: number;
          "fail_count"?: number;
          "failure_threshold"?: number;
          "id"?: string;
          "key"?: string;
          "last_error"?: string | null;
          "open_until"?: string | null;
          "opened_at"?: string | null;
          "opened_count"?: number;
          "probe_until"?: string | null;
          "state"?: string;
          "tenant_id"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "circuit_breakers_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "director_reviews": {
        Row: {
          "decisions": NonNullable<Json>;
          "findings": NonNullable<Json>;
          "id": string;
          "reviewed_at": string;
          "sessions_checked": number;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "decisions"?: NonNullable<Json>;
          "findings"?: NonNullable<Json>;
          "id"?: string;
          "reviewed_at"?: string;
          "sessions_checked": number;
          "tenant_id": string;
        };
        Update: {
          "decisions"?: NonNullable<Json>;
          "findings"?: NonNullable<Json>;
          "id"?: string;
          "reviewed_at"?: string;
          "sessions_checked"?: number;
          "tenant_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "director_reviews_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "event_log": {
        Row: {
          "asset_id": string | null;
          "chain": (string)[];
          "created_at": string;
          "event_source": string;
          "event_type": string;
          "expires_at": string;
          "id": string;
          "matched_automations": (string)[] | null;
          "occurred_at": string | null;
          "origin": string | null;
          "payload": NonNullable<Json>;
          "processed": boolean;
          "processed_at": string | null;
          "processing_error": string | null;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "asset_id"?: string | null;
          "chain"?: (string)[];
          "created_at"?: string;
          "event_source"?: string;
          "event_type": string;
          "expires_at"?: string;
          "id"?: string;
          "matched_automations"?: (string)[] | null;
          "occurred_at"?: string | null;
          "origin"?: string | null;
          "payload"?: NonNullable<Json>;
          "processed"?: boolean;
          "processed_at"?: string | null;
          "processing_error"?: string | null;
          "tenant_id": string;
        };
        Update: {
          "asset_id"?: string | null;
          "chain"?: (string)[];
          "created_at"?: string;
          "event_source"?: string;
          "event_type"?: string;
          "expires_at"?: string;
          "id"?: string;
          "matched_automations"?: (string)[] | null;
          "occurred_at"?: string | null;
          "origin"?: string | null;
          "payload"?: NonNullable<Json>;
          "processed"?: boolean;
          "processed_at"?: string | null;
          "processing_error"?: string | null;
          "tenant_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "event_log_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "leads": {
        Row: {
          "ai_score": number | null;
          "company": string | null;
          "created_at": string;
          "email": string | null;
          "id": string;
          "metadata": NonNullable<Json>;
          "name": string;
          "notes": string | null;
          "phone": string | null;
          "source": string;
          "status": string;
          "tenant_id": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "ai_score"?: number | null;
          "company"?: string | null;
          "created_at"?: string;
          "email"?: string | null;
          "id"?: string;
          "metadata"?: NonNullable<Json>;
          "name": string;
          "notes"?: string | null;
          "phone"?: string | null;
          "source"?: string;
          "status"?: string;
          "tenant_id": string;
          "updated_at"?: string;
        };
        Update: {
          "ai_score"?: number | null;
          "company"?: string | null;
          "created_at"?: string;
          "email"?: string | null;
          "id"?: string;
          "metadata"?: NonNullable<Json>;
          "name"?: string;
          "notes"?: string | null;
          "phone"?: string | null;
          "source"?: string;
          "status"?: string;
          "tenant_id"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "leads_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "memory_decisions": {
        Row: {
          "action": string;
          "created_at": string;
          "details": NonNullable<Json>;
          "explanation": string | null;
          "id": string;
          "judge": string;
          "memory_id": string | null;
          "model": string | null;
          "target_ids": (string)[];
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "action": string;
          "created_at"?: string;
          "details"?: NonNullable<Json>;
          "explanation"?: string | null;
          "id"?: string;
          "judge"?: string;
          "memory_id"?: string | null;
          "model"?: string | null;
          "target_ids"?: (string)[];
          "tenant_id": string;
        };
        Update: {
          "action"?: string;
          "created_at"?: string;
          "details"?: NonNullable<Json>;
          "explanation"?: string | null;
          "id"?: string;
          "judge"?: string;
          "memory_id"?: string | null;
          "model"?: string | null;
          "target_ids"?: (string)[];
          "tenant_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "memory_decisions_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "memory_index": {
        Row: {
          "agent_id": string | null;
          "asset_id": string | null;
          "chunk_index": number;
          "cold": boolean;
          "content": string;
          "content_hash": string | null;
          "content_tsv": unknown;
          "created_at": string;
          "embedded_at": string | null;
          "embedded_hash": string | null;
          "embedding": string | null;
          "embedding_model": string | null;
          "health": number | null;
          "id": string;
          "memory_status": string | null;
          "memory_type": string | null;
          "metadata": NonNullable<Json>;
          "source_created_at": string;
          "source_id": string;
          "source_type": string;
          "tenant_id": string;
          "title": string | null;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_id"?: string | null;
          "asset_id"?: string | null;
          "chunk_index"?: number;
          "cold"?: boolean;
          "content": string;
          "content_hash"?: never;
          "content_tsv"?: never;
          "created_at"?: string;
          "embedded_at"?: string | null;
          "embedded_hash"?: string | null;
          "embedding"?: string | null;
          "embedding_model"?: string | null;
          "health"?: number | null;
          "id"?: string;
          "memory_status"?: string | null;
          "memory_type"?: string | null;
          "metadata"?: NonNullable<Json>;
          "source_created_at"?: string;
          "source_id": string;
          "source_type": string;
          "tenant_id": string;
          "title"?: string | null;
          "updated_at"?: string;
        };
        Update: {
          "agent_id"?: string | null;
          "asset_id"?: string | null;
          "chunk_index"?: number;
          "cold"?: boolean;
          "content"?: string;
          "content_hash"?: never;
          "content_tsv"?: never;
          "created_at"?: string;
          "embedded_at"?: string | null;
          "embedded_hash"?: string | null;
          "embedding"?: string | null;
          "embedding_model"?: string | null;
          "health"?: number | null;
          "id"?: string;
          "memory_status"?: string | null;
          "memory_type"?: string | null;
          "metadata"?: NonNullable<Json>;
          "source_created_at"?: string;
          "source_id"?: string;
          "source_type"?: string;
          "tenant_id"?: string;
          "title"?: string | null;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "memory_index_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "memory_index_state": {
        Row: {
          "changed_at": string;
          "chunks": number;
          "embedded": number;
          "tenant_id": string;
          "version": number;
        };
        ComputedFields: never;
        Insert: {
          "changed_at"?: string;
          "chunks"?: number;
          "embedded"?: number;
          "tenant_id": string;
          "version"?: number;
        };
        Update: {
          "changed_at"?: string;
          "chunks"?: number;
          "embedded"?: number;
          "tenant_id"?: string;
          "version"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "memory_index_state_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: true;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "memory_maintenance_reports": {
        Row: {
          "cache_purged": number;
          "cold_deleted": number;
          "demoted_warm": number;
          "error": string | null;
          "expired_deleted": number;
          "finished_at": string;
          "health_updated": number;
          "id": string;
          "idle_archived": number;
          "promoted_hot": number;
          "quota_archived": number;
          "quota_deleted": number;
          "run_id": string;
          "started_at": string;
          "superseded_archived": number;
          "superseded_deleted": number;
          "tenant_id": string;
          "tiers": NonNullable<Json>;
        };
        ComputedFields: never;
        Insert: {
          "cache_purged"?: number;
          "cold_deleted"?: number;
          "demoted_warm"?: number;
          "error"?: string | null;
          "expired_deleted"?: number;
          "finished_at"?: string;
          "health_updated"?: number;
          "id"?: string;
          "idle_archived"?: number;
          "promoted_hot"?: number;
          "quota_archived"?: number;
          "quota_deleted"?: number;
          "run_id": string;
          "started_at": string;
          "superseded_archived"?: number;
          "superseded_deleted"?: number;
          "tenant_id": string;
          "tiers"?: NonNullable<Json>;
        };
        Update: {
          "cache_purged"?: number;
          "cold_deleted"?: number;
          "demoted_warm"?: number;
          "error"?: string | null;
          "expired_deleted"?: number;
          "finished_at"?: string;
          "health_updated"?: number;
          "id"?: string;
          "idle_archived"?: number;
          "promoted_hot"?: number;
          "quota_archived"?: number;
          "quota_deleted"?: number;
          "run_id"?: string;
          "started_at"?: string;
          "superseded_archived"?: number;
          "superseded_deleted"?: number;
          "tenant_id"?: string;
          "tiers"?: NonNullable<Json>;
        };
        Relationships: [
          {
            foreignKeyName: "memory_maintenance_reports_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "memory_policies": {
        Row: {
          "archive_below_health": number;
          "cache_ttl_seconds": number;
          "cold_retention_days": number;
          "hot_idle_hours": number;
          "hot_min_health": number;
          "max_cold": number;
          "max_hot": number;
          "max_live": number;
          "superseded_retention_days": number;
          "tenant_id": string;
          "type_quotas": NonNullable<Json>;
          "updated_at": string;
          "warm_idle_days": number;
        };
        ComputedFields: never;
        Insert: {
          "archive_below_health"?: number;
          "cache_ttl_seconds"?: number;
          "cold_retention_days"?: number;
          "hot_idle_hours"?: number;
          "hot_min_health"?: number;
          "max_cold"?: number;
          "max_hot"?: number;
          "max_live"?: number;
          "superseded_retention_days"?: number;
          "tenant_id": string;
          "type_quotas"?: NonNullable<Json>;
          "updated_at"?: string;
          "warm_idle_days"?: number;
        };
        Update: {
          "archive_below_health"?: number;
          "cache_ttl_seconds"?: number;
          "cold_retention_days"?: number;
          "hot_idle_hours"?: number;
          "hot_min_health"?: number;
          "max_cold"?: number;
          "max_hot"?: number;
          "max_live"?: number;
          "superseded_retention_days"?: number;
          "tenant_id"?: string;
          "type_quotas"?: NonNullable<Json>;
          "updated_at"?: string;
          "warm_idle_days"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "memory_policies_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: true;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "metrics": {
        Row: {
          "created_at": string;
          "dimensions": NonNullable<Json>;
          "id": number;
          "name": string;
          "recorded_at": string;
          "tenant_id": string;
          "value": number;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "dimensions"?: NonNullable<Json>;
          "id"?: never;
          "name": string;
          "recorded_at"?: string;
          "tenant_id": string;
          "value": number;
        };
        Update: {
          "created_at"?: string;
          "dimensions"?: NonNullable<Json>;
          "id"?: never;
          "name"?: string;
          "recorded_at"?: string;
          "tenant_id"?: string;
          "value"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "metrics_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "notification_deliveries": {
        Row: {
          "attempts": number;
          "channel": string;
          "created_at": string;
          "delivered_at": string | null;
          "id": string;
          "last_attempt_at": string | null;
          "last_duration_ms": number | null;
          "last_error": string | null;
          "last_status_code": number | null;
          "locked_until": string | null;
          "max_attempts": number | null;
          "next_attempt_at": string;
          "notification_id": string;
          "retry_schedule_seconds": (number)[];
          "sent_to": (string)[];
          "status": string;
          "target": string | null;
          "tenant_id": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "attempts"?: number;
          "channel": string;
          "created_at"?: string;
          "delivered_at"?: string | null;
          "id"?: string;
          "last_attempt_at"?: string | null;
          "last_duration_ms"?: number | null;
          "last_error"?: string | null;
          "last_status_code"?: number | null;
          "locked_until"?: string | null;
          "max_attempts"?: never;
          "next_attempt_at"?: string;
          "notification_id": string;
          "retry_schedule_seconds": (number)[];
          "sent_to"?: (string)[];
          "status"?: string;
          "target"?: string | null;
          "tenant_id": string;
          "updated_at"?: string;
        };
        Update: {
          "attempts"?: number;
          "channel"?: string;
          "created_at"?: string;
          "delivered_at"?: string | null;
          "id"?: string;
          "last_attempt_at"?: string | null;
          "last_duration_ms"?: number | null;
          "last_error"?: string | null;
          "last_status_code"?: number | null;
          "locked_until"?: string | null;
          "max_attempts"?: never;
          "next_attempt_at"?: string;
          "notification_id"?: string;
          "retry_schedule_seconds"?: (number)[];
          "sent_to"?: (string)[];
          "status"?: string;
          "target"?: string | null;
          "tenant_id"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "notification_deliveries_notification_id_fkey";
            columns: ["notification_id"];
            isOneToOne: false;
            referencedRelation: "notifications";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "notification_deliveries_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "notification_routes": {
        Row: {
          "channels": (string)[];
          "created_at": string;
          "id": string;
          "severity": string;
          "tenant_id": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "channels": (string)[];
          "created_at"?: string;
          "id"?: string;
          "severity": string;
          "tenant_id": string;
          "updated_at"?: string;
        };
        Update: {
          "channels"?: (string)[];
          "created_at"?: string;
          "id"?: string;
          "severity"?: string;
          "tenant_id"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "notification_routes_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "notifications": {
        Row: {
          "channels": (string)[];
          "created_at": string;
          "data": NonNullable<Json>;
          "delivery_config": NonNullable<Json>;
          "delivery_status": NonNullable<Json>;
          "dismissed": boolean;
          "dismissed_at": string | null;
          "expires_at": string | null;
          "id": string;
          "message": string;
          "priority": number;
          "read": boolean;
          "read_at": string | null;
          "source_id": string | null;
          "source_type": string | null;
          "tenant_id": string;
          "title": string;
          "type": string;
        };
        ComputedFields: never;
        Insert: {
          "channels"?: (string)[];
          "created_at"?: string;
          "data"?: NonNullable<Json>;
          "delivery_config"?: NonNullable<Json>;
          "delivery_status"?: NonNullable<Json>;
          "dismissed"?: boolean;
          "dismissed_at"?: string | null;
          "expires_at"?: string | null;
          "id"?: string;
          "message": string;
          "priority"?: number;
          "read"?: boolean;
          "read_at"?: string | null;
          "source_id"?: string | null;
          "source_type"?: string | null;
          "tenant_id": string;
          "title": string;
          "type": string;
        };
        Update: {
          "channels"?: (string)[];
          "created_at"?: string;
          "data"?: NonNullable<Json>;
          "delivery_config"?: NonNullable<Json>;
          "delivery_status"?: NonNullable<Json>;
          "dismissed"?: boolean;
          "dismissed_at"?: string | null;
          "expires_at"?: string | null;
          "id"?: string;
          "message"?: string;
          "priority"?: number;
          "read"?: boolean;
          "read_at"?: string | null;
          "source_id"?: string | null;
          "source_type"?: string | null;
          "tenant_id"?: string;
          "title"?: string;
          "type"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "notifications_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "request_log": {
        Row: {
          "action": string | null;
          "api_key_id": string | null;
          "client_ip": unknown;
          "created_at": string;
          "duration_ms": number;
          "error_code": string | null;
          "function_name": string;
          "id": number;
          "method": string;
          "request_id": string;
          "status": number;
          "tenant_id": string | null;
          "user_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "action"?: string | null;
          "api_key_id"?: string | null;
          "client_ip"?: unknown;
          "created_at"?: string;
          "duration_ms": number;
          "error_code"?: string | null;
          "function_name": string;
          "id"?: never;
          "method": string;
          "request_id": string;
          "status": number;
          "tenant_id"?: string | null;
          "user_id"?: string | null;
        };
        Update: {
          "action"?: string | null;
          "api_key_id"?: string | null;
          "client_ip"?: unknown;
          "created_at"?: string;
          "duration_ms"?: number;
          "error_code"?: string | null;
          "function_name"?: string;
          "id"?: never;
          "method"?: string;
          "request_id"?: string;
          "status"?: number;
          "tenant_id"?: string | null;
          "user_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "request_log_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "run_steps": {
        Row: {
          "attempts": number;
          "completed_at": string;
          "completion_tokens": number;
          "cost_usd": number;
          "duration_ms": number;
          "error": Json | null;
          "id": string;
          "input": Json | null;
          "key": string;
          "kind": string;
          "model": string | null;
          "output": Json | null;
          "prompt_tokens": number;
          "provider": string | null;
          "run_attempt": number;
          "run_id": string;
          "seq": number;
          "started_at": string | null;
          "status": string;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "attempts"?: number;
          "completed_at"?: string;
          "completion_tokens"?: number;
          "cost_usd"?: number;
          "duration_ms"?: number;
          "error"?: Json | null;
          "id"?: string;
          "input"?: Json | null;
          "key": string;
          "kind"?: string;
          "model"?: string | null;
          "output"?: Json | null;
          "prompt_tokens"?: number;
          "provider"?: string | null;
          "run_attempt"?: number;
          "run_id": string;
          "seq": number;
          "started_at"?: string | null;
          "status": string;
          "tenant_id": string;
        };
        Update: {
          "attempts"?: number;
          "completed_at"?: string;
          "completion_tokens"?: number;
          "cost_usd"?: number;
          "duration_ms"?: number;
          "error"?: Json | null;
          "id"?: string;
          "input"?: Json | null;
          "key"?: string;
          "kind"?: string;
          "model"?: string | null;
          "output"?: Json | null;
          "prompt_tokens"?: number;
          "provider"?: string | null;
          "run_attempt"?: number;
          "run_id"?: string;
          "seq"?: number;
          "started_at"?: string | null;
          "status"?: string;
          "tenant_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "run_steps_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "run_steps_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "automation_runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "run_steps_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "run_steps_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "run_waitpoints": {
        Row: {
          "approval_id": string | null;
          "created_at": string;
          "event_filter": Json | null;
          "event_keys": (string)[] | null;
          "event_names": (string)[] | null;
          "id": string;
          "kind": string;
          "mode": string;
          "position": number;
          "resolved_at": string | null;
          "result": Json | null;
          "resume_at": string | null;
          "run_id": string;
          "run_ids": (string)[] | null;
          "runs_mode": string | null;
          "status": string;
          "step_key": string | null;
          "tenant_id": string;
          "token_hash": string | null;
        };
        ComputedFields: never;
        Insert: {
          "approval_id"?: string | null;
          "created_at"?: string;
          "event_filter"?: Json | null;
          "event_keys"?: (string)[] | null;
          "event_names"?: (string)[] | null;
          "id"?: string;
          "kind": string;
          "mode"?: string;
          "position"?: number;
          "resolved_at"?: string | null;
          "result"?: Json | null;
          "resume_at"?: string | null;
          "run_id": string;
          "run_ids"?: (string)[] | null;
          "runs_mode"?: string | null;
          "status"?: string;
          "step_key"?: string | null;
          "tenant_id": string;
          "token_hash"?: string | null;
        };
        Update: {
          "approval_id"?: string | null;
          "created_at"?: string;
          "event_filter"?: Json | null;
          "event_keys"?: (string)[] | null;
          "event_names"?: (string)[] | null;
          "id"?: string;
          "kind"?: string;
          "mode"?: string;
          "position"?: number;
          "resolved_at"?: string | null;
          "result"?: Json | null;
          "resume_at"?: string | null;
          "run_id"?: string;
          "run_ids"?: (string)[] | null;
          "runs_mode"?: string | null;
          "status"?: string;
          "step_key"?: string | null;
          "tenant_id"?: string;
          "token_hash"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "run_waitpoints_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "run_waitpoints_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "automation_runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "run_waitpoints_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "run_waitpoints_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "runs": {
        Row: {
          "api_key_id": string | null;
          "attempt": number;
          "code_version": string | null;
          "completed_at": string | null;
          "concurrency_key": string | null;
          "concurrency_limit": number | null;
          "created_at": string;
          "created_by": string | null;
          "deadline_at": string | null;
          "definition_version": string | null;
          "depth": number;
          "error": Json | null;
          "escalated_at": string | null;
          "forked_from_run_id": string | null;
          "forked_from_seq": number | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "input": NonNullable<Json>;
          "kind": string;
          "max_attempts": number;
          "output": Json | null;
          "parent_run_id": string | null;
          "priority": number;
          "queue_msg_id": number | null;
          "queued_at": string | null;
          "resuming": boolean;
          "root_run_id": string | null;
          "started_at": string | null;
          "status": string;
          "subject": string | null;
          "tenant_id": string;
          "timed_out": boolean;
          "updated_at": string;
          "user_id": string | null;
          "wake": Json | null;
          "worker_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "api_key_id"?: string | null;
          "attempt"?: number;
          "code_version"?: string | null;
          "completed_at"?: string | null;
          "concurrency_key"?: string | null;
          "concurrency_limit"?: number | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "deadline_at"?: string | null;
          "definition_version"?: string | null;
          "depth"?: number;
          "error"?: Json | null;
          "escalated_at"?: string | null;
          "forked_from_run_id"?: string | null;
          "forked_from_seq"?: number | null;
          "heartbeat_at"?: string | null;
          "id"?: string;
          "idempotency_key"?: string | null;
          "input"?: NonNullable<Json>;
          "kind": string;
          "max_attempts"?: number;
          "output"?: Json | null;
          "parent_run_id"?: string | null;
          "priority"?: number;
          "queue_msg_id"?: number | null;
          "queued_at"?: string | null;
          "resuming"?: boolean;
          "root_run_id"?: string | null;
          "started_at"?: string | null;
          "status"?: string;
          "subject"?: string | null;
          "tenant_id": string;
          "timed_out"?: boolean;
          "updated_at"?: string;
          "user_id"?: string | null;
          "wake"?: Json | null;
          "worker_id"?: string | null;
        };
        Update: {
          "api_key_id"?: string | null;
          "attempt"?: number;
          "code_version"?: string | null;
          "completed_at"?: string | null;
          "concurrency_key"?: string | null;
          "concurrency_limit"?: number | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "deadline_at"?: string | null;
          "definition_version"?: string | null;
          "depth"?: number;
          "error"?: Json | null;
          "escalated_at"?: string | null;
          "forked_from_run_id"?: string | null;
          "forked_from_seq"?: number | null;
          "heartbeat_at"?: string | null;
          "id"?: string;
          "idempotency_key"?: string | null;
          "input"?: NonNullable<Json>;
          "kind"?: string;
          "max_attempts"?: number;
          "output"?: Json | null;
          "parent_run_id"?: string | null;
          "priority"?: number;
          "queue_msg_id"?: number | null;
          "queued_at"?: string | null;
          "resuming"?: boolean;
          "root_run_id"?: string | null;
          "started_at"?: string | null;
          "status"?: string;
          "subject"?: string | null;
          "tenant_id"?: string;
          "timed_out"?: boolean;
          "updated_at"?: string;
          "user_id"?: string | null;
          "wake"?: Json | null;
          "worker_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "runs_forked_from_run_id_fkey";
            columns: ["forked_from_run_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_forked_from_run_id_fkey";
            columns: ["forked_from_run_id"];
            isOneToOne: false;
            referencedRelation: "automation_runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_forked_from_run_id_fkey";
            columns: ["forked_from_run_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_parent_run_id_fkey";
            columns: ["parent_run_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_parent_run_id_fkey";
            columns: ["parent_run_id"];
            isOneToOne: false;
            referencedRelation: "automation_runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_parent_run_id_fkey";
            columns: ["parent_run_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "semantic_cache": {
        Row: {
          "cache_key": string;
          "created_at": string;
          "embedding_model": string | null;
          "filters": NonNullable<Json>;
          "hits": number;
          "id": string;
          "index_version": number;
          "last_hit_at": string | null;
          "query": string;
          "results": NonNullable<Json>;
          "tenant_id": string;
          "valid_until": string;
        };
        ComputedFields: never;
        Insert: {
          "cache_key": string;
          "created_at"?: string;
          "embedding_model"?: string | null;
          "filters"?: NonNullable<Json>;
          "hits"?: number;
          "id"?: string;
          "index_version": number;
          "last_hit_at"?: string | null;
          "query": string;
          "results": NonNullable<Json>;
          "tenant_id": string;
          "valid_until": string;
        };
        Update: {
          "cache_key"?: string;
          "created_at"?: string;
          "embedding_model"?: string | null;
          "filters"?: NonNullable<Json>;
          "hits"?: number;
          "id"?: string;
          "index_version"?: number;
          "last_hit_at"?: string | null;
          "query"?: string;
          "results"?: NonNullable<Json>;
          "tenant_id"?: string;
          "valid_until"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "semantic_cache_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "skills": {
        Row: {
          "created_at": string;
          "depends_on": (string)[];
          "description": string;
          "enabled": boolean;
          "id": string;
          "instructions": string;
          "key": string;
          "name": string;
          "tenant_id": string;
          "tools": (string)[];
          "version": number;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "depends_on"?: (string)[];
          "description"?: string;
          "enabled"?: boolean;
          "id"?: string;
          "instructions"?: string;
          "key": string;
          "name": string;
          "tenant_id": string;
          "tools"?: (string)[];
          "version"?: number;
        };
        Update: {
          "created_at"?: string;
          "depends_on"?: (string)[];
          "description"?: string;
          "enabled"?: boolean;
          "id"?: string;
          "instructions"?: string;
          "key"?: string;
          "name"?: string;
          "tenant_id"?: string;
          "tools"?: (string)[];
          "version"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "skills_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "task_dependencies": {
        Row: {
          "created_at": string;
          "depends_on_id": string;
          "task_id": string;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "depends_on_id": string;
          "task_id": string;
          "tenant_id": string;
        };
        Update: {
          "created_at"?: string;
          "depends_on_id"?: string;
          "task_id"?: string;
          "tenant_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "task_dependencies_depends_on_id_fkey";
            columns: ["depends_on_id"];
            isOneToOne: false;
            referencedRelation: "agent_tasks";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "task_dependencies_task_id_fkey";
            columns: ["task_id"];
            isOneToOne: false;
            referencedRelation: "agent_tasks";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "task_dependencies_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "tenant_budgets": {
        Row: {
          "alert_thresholds": (number)[];
          "hard_limit": boolean;
          "monthly_budget_usd": number;
          "tenant_id": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "alert_thresholds"?: (number)[];
          "hard_limit"?: boolean;
          "monthly_budget_usd": number;
          "tenant_id": string;
          "updated_at"?: string;
        };
        Update: {
          "alert_thresholds"?: (number)[];
          "hard_limit"?: boolean;
          "monthly_budget_usd"?: number;
          "tenant_id"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "tenant_budgets_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: true;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "tenant_members": {
        Row: {
          "created_at": string;
          "role": string;
          "tenant_id": string;
          "user_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "role"?: string;
          "tenant_id": string;
          "user_id": string;
        };
        Update: {
          "created_at"?: string;
          "role"?: string;
          "tenant_id"?: string;
          "user_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "tenant_members_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "tenants": {
        Row: {
          "created_at": string;
          "id": string;
          "limits": NonNullable<Json>;
          "name": string;
          "settings": NonNullable<Json>;
          "slug": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "id"?: string;
          "limits"?: NonNullable<Json>;
          "name": string;
          "settings"?: NonNullable<Json>;
          "slug": string;
          "updated_at"?: string;
        };
        Update: {
          "created_at"?: string;
          "id"?: string;
          "limits"?: NonNullable<Json>;
          "name"?: string;
          "settings"?: NonNullable<Json>;
          "slug"?: string;
          "updated_at"?: string;
        };
        Relationships: [];
      };
      "tool_assets": {
        Row: {
          "asset_id": string;
          "criticality": string;
          "metadata": NonNullable<Json>;
          "name": string | null;
          "tenant_id": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "asset_id": string;
          "criticality": string;
          "metadata"?: NonNullable<Json>;
          "name"?: string | null;
          "tenant_id": string;
          "updated_at"?: string;
        };
        Update: {
          "asset_id"?: string;
          "criticality"?: string;
          "metadata"?: NonNullable<Json>;
          "name"?: string | null;
          "tenant_id"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "tool_assets_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "tool_audit": {
        Row: {
          "actor": string | null;
          "after": Json | null;
          "agent": string | null;
          "approval_id": string | null;
          "args_hash": string | null;
          "arguments": Json | null;
          "before": Json | null;
          "created_at": string;
          "decision": Json | null;
          "error": Json | null;
          "event": string;
          "id": string;
          "mode": string | null;
          "requested_by": string | null;
          "result": Json | null;
          "run_id": string | null;
          "seq": number;
          "step_key": string | null;
          "tenant_id": string;
          "tool": string;
          "tool_call_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "actor"?: string | null;
          "after"?: Json | null;
          "agent"?: string | null;
          "approval_id"?: string | null;
          "args_hash"?: string | null;
          "arguments"?: Json | null;
          "before"?: Json | null;
          "created_at"?: string;
          "decision"?: Json | null;
          "error"?: Json | null;
          "event": string;
          "id"?: string;
          "mode"?: string | null;
          "requested_by"?: string | null;
          "result"?: Json | null;
          "run_id"?: string | null;
          "seq"?: never;
          "step_key"?: string | null;
          "tenant_id": string;
          "tool": string;
          "tool_call_id"?: string | null;
        };
        Update: {
          "actor"?: string | null;
          "after"?: Json | null;
          "agent"?: string | null;
          "approval_id"?: string | null;
          "args_hash"?: string | null;
          "arguments"?: Json | null;
          "before"?: Json | null;
          "created_at"?: string;
          "decision"?: Json | null;
          "error"?: Json | null;
          "event"?: string;
          "id"?: string;
          "mode"?: string | null;
          "requested_by"?: string | null;
          "result"?: Json | null;
          "run_id"?: string | null;
          "seq"?: never;
          "step_key"?: string | null;
          "tenant_id"?: string;
          "tool"?: string;
          "tool_call_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "tool_audit_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "tool_calls": {
        Row: {
          "access": string;
          "adapter": string;
          "after": Json | null;
          "agent": string | null;
          "approval_id": string | null;
          "args_hash": string;
          "arguments": NonNullable<Json>;
          "attempts": number;
          "before": Json | null;
          "completed_at": string | null;
          "created_at": string;
          "deadline_at": string;
          "error": Json | null;
          "id": string;
          "idempotency_key": string;
          "integration": string;
          "mode": string | null;
          "msg_id": number | null;
          "requested_by": string | null;
          "result": Json | null;
          "run_id": string | null;
          "started_at": string | null;
          "status": string;
          "step_key": string | null;
          "tenant_id": string;
          "tool": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "access": string;
          "adapter": string;
          "after"?: Json | null;
          "agent"?: string | null;
          "approval_id"?: string | null;
          "args_hash": string;
          "arguments": NonNullable<Json>;
          "attempts"?: number;
          "before"?: Json | null;
          "completed_at"?: string | null;
          "created_at"?: string;
          "deadline_at": string;
          "error"?: Json | null;
          "id"?: string;
          "idempotency_key": string;
          "integration": string;
          "mode"?: string | null;
          "msg_id"?: number | null;
          "requested_by"?: string | null;
          "result"?: Json | null;
          "run_id"?: string | null;
          "started_at"?: string | null;
          "status"?: string;
          "step_key"?: string | null;
          "tenant_id": string;
          "tool": string;
          "updated_at"?: string;
        };
        Update: {
          "access"?: string;
          "adapter"?: string;
          "after"?: Json | null;
          "agent"?: string | null;
          "approval_id"?: string | null;
          "args_hash"?: string;
          "arguments"?: NonNullable<Json>;
          "attempts"?: number;
          "before"?: Json | null;
          "completed_at"?: string | null;
          "created_at"?: string;
          "deadline_at"?: string;
          "error"?: Json | null;
          "id"?: string;
          "idempotency_key"?: string;
          "integration"?: string;
          "mode"?: string | null;
          "msg_id"?: number | null;
          "requested_by"?: string | null;
          "result"?: Json | null;
          "run_id"?: string | null;
          "started_at"?: string | null;
          "status"?: string;
          "step_key"?: string | null;
          "tenant_id"?: string;
          "tool"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "tool_calls_approval_id_fkey";
            columns: ["approval_id"];
            isOneToOne: false;
            referencedRelation: "approvals";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "tool_calls_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "tool_calls_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "automation_runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "tool_calls_run_id_fkey";
            columns: ["run_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "tool_calls_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "tool_integrations": {
        Row: {
          "adapter": string;
          "auth_header": string;
          "auth_scheme": string | null;
          "base_url": string | null;
          "created_at": string;
          "created_by": string | null;
          "credential_secret": string | null;
          "enabled": boolean;
          "id": string;
          "idempotent_retries": boolean;
          "key": string;
          "max_concurrency": number | null;
          "max_retries": number;
          "rate_limit_per_minute": number | null;
          "routes": NonNullable<Json>;
          "tenant_id": string;
          "timeout_ms": number;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "adapter"?: string;
          "auth_header"?: string;
          "auth_scheme"?: string | null;
          "base_url"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "credential_secret"?: string | null;
          "enabled"?: boolean;
          "id"?: string;
          "idempotent_retries"?: boolean;
          "key": string;
          "max_concurrency"?: number | null;
          "max_retries"?: number;
          "rate_limit_per_minute"?: number | null;
          "routes"?: NonNullable<Json>;
          "tenant_id": string;
          "timeout_ms"?: number;
          "updated_at"?: string;
        };
        Update: {
          "adapter"?: string;
          "auth_header"?: string;
          "auth_scheme"?: string | null;
          "base_url"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "credential_secret"?: string | null;
          "enabled"?: boolean;
          "id"?: string;
          "idempotent_retries"?: boolean;
          "key"?: string;
          "max_concurrency"?: number | null;
          "max_retries"?: number;
          "rate_limit_per_minute"?: number | null;
          "routes"?: NonNullable<Json>;
          "tenant_id"?: string;
          "timeout_ms"?: number;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "tool_integrations_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "tool_policies": {
        Row: {
          "agent": string | null;
          "approval_ttl_seconds": number | null;
          "approver_roles": (string)[] | null;
          "conditions": NonNullable<Json>;
          "created_at": string;
          "created_by": string | null;
          "description": string | null;
          "effect": string;
          "enabled": boolean;
          "id": string;
          "name": string;
          "priority": number;
          "tenant_id": string;
          "tool": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "agent"?: string | null;
          "approval_ttl_seconds"?: number | null;
          "approver_roles"?: (string)[] | null;
          "conditions"?: NonNullable<Json>;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "effect": string;
          "enabled"?: boolean;
          "id"?: string;
          "name": string;
          "priority"?: number;
          "tenant_id": string;
          "tool": string;
          "updated_at"?: string;
        };
        Update: {
          "agent"?: string | null;
          "approval_ttl_seconds"?: number | null;
          "approver_roles"?: (string)[] | null;
          "conditions"?: NonNullable<Json>;
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "effect"?: string;
          "enabled"?: boolean;
          "id"?: string;
          "name"?: string;
          "priority"?: number;
          "tenant_id"?: string;
          "tool"?: string;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "tool_policies_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "tool_sandbox_records": {
        Row: {
          "created_at": string;
          "data": NonNullable<Json>;
          "id": string;
          "integration": string;
          "kind": string;
          "ref": string;
          "tenant_id": string;
          "tool_call_id": string | null;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "data": NonNullable<Json>;
          "id"?: string;
          "integration": string;
          "kind": string;
          "ref": string;
          "tenant_id": string;
          "tool_call_id"?: string | null;
          "updated_at"?: string;
        };
        Update: {
          "created_at"?: string;
          "data"?: NonNullable<Json>;
          "id"?: string;
          "integration"?: string;
          "kind"?: string;
          "ref"?: string;
          "tenant_id"?: string;
          "tool_call_id"?: string | null;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "tool_sandbox_records_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "tool_settings": {
        Row: {
          "enabled": boolean;
          "tenant_id": string;
          "tool": string;
          "updated_at": string;
          "updated_by": string | null;
        };
        ComputedFields: never;
        Insert: {
          "enabled"?: boolean;
          "tenant_id": string;
          "tool": string;
          "updated_at"?: string;
          "updated_by"?: string | null;
        };
        Update: {
          "enabled"?: boolean;
          "tenant_id"?: string;
          "tool"?: string;
          "updated_at"?: string;
          "updated_by"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "tool_settings_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "usage_events": {
        Row: {
          "completion_tokens": number;
          "cost_usd": number;
          "created_at": string;
          "id": string;
          "kind": string;
          "metadata": NonNullable<Json>;
          "model": string | null;
          "prompt_tokens": number;
          "provider": string | null;
          "run_id": string | null;
          "run_step_id": string | null;
          "tenant_id": string;
          "units": number;
        };
        ComputedFields: never;
        Insert: {
          "completion_tokens"?: number;
          "cost_usd"?: number;
          "created_at"?: string;
          "id"?: string;
          "kind": string;
          "metadata"?: NonNullable<Json>;
          "model"?: string | null;
          "prompt_tokens"?: number;
          "provider"?: string | null;
          "run_id"?: string | null;
          "run_step_id"?: string | null;
          "tenant_id": string;
          "units"?: number;
        };
        Update: {
          "completion_tokens"?: number;
          "cost_usd"?: number;
          "created_at"?: string;
          "id"?: string;
          "kind"?: string;
          "metadata"?: NonNullable<Json>;
          "model"?: string | null;
          "prompt_tokens"?: number;
          "provider"?: string | null;
          "run_id"?: string | null;
          "run_step_id"?: string | null;
          "tenant_id"?: string;
          "units"?: number;
        };
        Relationships: [
          {
            foreignKeyName: "usage_events_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "usage_totals": {
        Row: {
          "cost_usd": number;
          "events": number;
          "period": string;
          "tenant_id": string;
          "tokens": number;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "cost_usd"?: number;
          "events"?: number;
          "period": string;
          "tenant_id": string;
          "tokens"?: number;
          "updated_at"?: string;
        };
        Update: {
          "cost_usd"?: number;
          "events"?: number;
          "period"?: string;
          "tenant_id"?: string;
          "tokens"?: number;
          "updated_at"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "usage_totals_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "webhook_deliveries": {
        Row: {
          "attempts": number;
          "created_at": string;
          "delivered_at": string | null;
          "event_id": string | null;
          "event_type": string;
          "headers": NonNullable<Json>;
          "id": string;
          "idempotency_key": string | null;
          "is_test": boolean;
          "last_attempt_at": string | null;
          "last_duration_ms": number | null;
          "last_error": string | null;
          "last_response": string | null;
          "last_status_code": number | null;
          "locked_until": string | null;
          "max_attempts": number | null;
          "next_attempt_at": string;
          "payload": NonNullable<Json>;
          "retry_schedule_seconds": (number)[];
          "secret_name": string | null;
          "status": string;
          "tenant_id": string;
          "timeout_ms": number;
          "updated_at": string;
          "url": string | null;
          "webhook_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "attempts"?: number;
          "created_at"?: string;
          "delivered_at"?: string | null;
          "event_id"?: string | null;
          "event_type": string;
          "headers"?: NonNullable<Json>;
          "id"?: string;
          "idempotency_key"?: string | null;
          "is_test"?: boolean;
          "last_attempt_at"?: string | null;
          "last_duration_ms"?: number | null;
          "last_error"?: string | null;
          "last_response"?: string | null;
          "last_status_code"?: number | null;
          "locked_until"?: string | null;
          "max_attempts"?: never;
          "next_attempt_at"?: string;
          "payload": NonNullable<Json>;
          "retry_schedule_seconds": (number)[];
          "secret_name"?: string | null;
          "status"?: string;
          "tenant_id": string;
          "timeout_ms"?: number;
          "updated_at"?: string;
          "url"?: string | null;
          "webhook_id"?: string | null;
        };
        Update: {
          "attempts"?: number;
          "created_at"?: string;
          "delivered_at"?: string | null;
          "event_id"?: string | null;
          "event_type"?: string;
          "headers"?: NonNullable<Json>;
          "id"?: string;
          "idempotency_key"?: string | null;
          "is_test"?: boolean;
          "last_attempt_at"?: string | null;
          "last_duration_ms"?: number | null;
          "last_error"?: string | null;
          "last_response"?: string | null;
          "last_status_code"?: number | null;
          "locked_until"?: string | null;
          "max_attempts"?: never;
          "next_attempt_at"?: string;
          "payload"?: NonNullable<Json>;
          "retry_schedule_seconds"?: (number)[];
          "secret_name"?: string | null;
          "status"?: string;
          "tenant_id"?: string;
          "timeout_ms"?: number;
          "updated_at"?: string;
          "url"?: string | null;
          "webhook_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "webhook_deliveries_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "webhook_deliveries_webhook_id_fkey";
            columns: ["webhook_id"];
            isOneToOne: false;
            referencedRelation: "webhooks";
            referencedColumns: ["id"];
          },
        ];
      };
      "webhooks": {
        Row: {
          "created_at": string;
          "created_by": string | null;
          "description": string | null;
          "disabled_at": string | null;
          "disabled_reason": string | null;
          "events": (string)[];
          "failed_deliveries": number;
          "filter": Json | null;
          "id": string;
          "is_active": boolean;
          "last_error": string | null;
          "last_failure_at": string | null;
          "last_status_code": number | null;
          "last_success_at": string | null;
          "last_triggered_at": string | null;
          "metadata": NonNullable<Json>;
          "name": string;
          "retry_schedule_seconds": (number)[];
          "secret_rotated_at": string | null;
          "successful_deliveries": number;
          "tenant_id": string;
          "timeout_ms": number;
          "total_deliveries": number;
          "updated_at": string;
          "url": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "disabled_at"?: string | null;
          "disabled_reason"?: string | null;
          "events": (string)[];
          "failed_deliveries"?: number;
          "filter"?: Json | null;
          "id"?: string;
          "is_active"?: boolean;
          "last_error"?: string | null;
          "last_failure_at"?: string | null;
          "last_status_code"?: number | null;
          "last_success_at"?: string | null;
          "last_triggered_at"?: string | null;
          "metadata"?: NonNullable<Json>;
          "name": string;
          "retry_schedule_seconds"?: (number)[];
          "secret_rotated_at"?: string | null;
          "successful_deliveries"?: number;
          "tenant_id": string;
          "timeout_ms"?: number;
          "total_deliveries"?: number;
          "updated_at"?: string;
          "url": string;
        };
        Update: {
          "created_at"?: string;
          "created_by"?: string | null;
          "description"?: string | null;
          "disabled_at"?: string | null;
          "disabled_reason"?: string | null;
          "events"?: (string)[];
          "failed_deliveries"?: number;
          "filter"?: Json | null;
          "id"?: string;
          "is_active"?: boolean;
          "last_error"?: string | null;
          "last_failure_at"?: string | null;
          "last_status_code"?: number | null;
          "last_success_at"?: string | null;
          "last_triggered_at"?: string | null;
          "metadata"?: NonNullable<Json>;
          "name"?: string;
          "retry_schedule_seconds"?: (number)[];
          "secret_rotated_at"?: string | null;
          "successful_deliveries"?: number;
          "tenant_id"?: string;
          "timeout_ms"?: number;
          "total_deliveries"?: number;
          "updated_at"?: string;
          "url"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "webhooks_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
    };
    Views: {
      "agent_sessions": {
        Row: {
          "agent_id": string | null;
          "agent_slug": string | null;
          "api_key_id": string | null;
          "attempts": number;
          "completed_at": string | null;
          "concurrency_key": string | null;
          "concurrency_limit": number | null;
          "coordination": string | null;
          "created_at": string;
          "created_by": string | null;
          "deadline_at": string | null;
          "depth": number;
          "done": boolean | null;
          "error": Json | null;
          "escalated_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "input": NonNullable<Json>;
          "kind": string;
          "max_attempts": number;
          "mode": string | null;
          "parent_session_id": string | null;
          "priority": number;
          "queued_at": string | null;
          "result": Json | null;
          "root_session_id": string | null;
          "started_at": string | null;
          "status": string;
          "tenant_id": string;
          "timed_out": boolean;
          "updated_at": string;
          "user_id": string | null;
          "wake": Json | null;
          "worker_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "agent_id"?: never;
          "agent_slug"?: string | null;
          "api_key_id"?: string | null;
          "attempts"?: number | null;
          "completed_at"?: string | null;
          "concurrency_key"?: string | null;
          "concurrency_limit"?: number | null;
          "coordination"?: never;
          "created_at"?: string | null;
          "created_by"?: string | null;
          "deadline_at"?: string | null;
          "depth"?: number | null;
          "done"?: never;
          "error"?: Json | null;
          "escalated_at"?: string | null;
          "heartbeat_at"?: string | null;
          "id"?: string | null;
          "idempotency_key"?: string | null;
          "input"?: Json | null;
          "kind"?: string | null;
          "max_attempts"?: number | null;
          "mode"?: never;
          "parent_session_id"?: string | null;
          "priority"?: number | null;
          "queued_at"?: string | null;
          "result"?: Json | null;
          "root_session_id"?: string | null;
          "started_at"?: string | null;
          "status"?: string | null;
          "tenant_id"?: string | null;
          "timed_out"?: boolean | null;
          "updated_at"?: string | null;
          "user_id"?: string | null;
          "wake"?: Json | null;
          "worker_id"?: string | null;
        };
        Update: {
          "agent_id"?: never;
          "agent_slug"?: string | null;
          "api_key_id"?: string | null;
          "attempts"?: number | null;
          "completed_at"?: string | null;
          "concurrency_key"?: string | null;
          "concurrency_limit"?: number | null;
          "coordination"?: never;
          "created_at"?: string | null;
          "created_by"?: string | null;
          "deadline_at"?: string | null;
          "depth"?: number | null;
          "done"?: never;
          "error"?: Json | null;
          "escalated_at"?: string | null;
          "heartbeat_at"?: string | null;
          "id"?: string | null;
          "idempotency_key"?: string | null;
          "input"?: Json | null;
          "kind"?: string | null;
          "max_attempts"?: number | null;
          "mode"?: never;
          "parent_session_id"?: string | null;
          "priority"?: number | null;
          "queued_at"?: string | null;
          "result"?: Json | null;
          "root_session_id"?: string | null;
          "started_at"?: string | null;
          "status"?: string | null;
          "tenant_id"?: string | null;
          "timed_out"?: boolean | null;
          "updated_at"?: string | null;
          "user_id"?: string | null;
          "wake"?: Json | null;
          "worker_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "runs_parent_run_id_fkey";
            columns: ["parent_session_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_parent_run_id_fkey";
            columns: ["parent_session_id"];
            isOneToOne: false;
            referencedRelation: "automation_runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_parent_run_id_fkey";
            columns: ["parent_session_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "automation_runs": {
        Row: {
          "action_results": Json | null;
          "actions_completed": number | null;
          "actions_failed": number | null;
          "actions_total": number | null;
          "automation_id": string | null;
          "automation_version": number | null;
          "completed_at": string | null;
          "created_at": string;
          "duration_ms": number | null;
          "error": Json | null;
          "id": string;
          "parent_run_id": string | null;
          "retry_count": number | null;
          "started_at": string | null;
          "status": string | null;
          "tenant_id": string;
          "trigger_data": Json | null;
          "triggered_by": string | null;
        };
        ComputedFields: never;
        Insert: {
          "action_results"?: never;
          "actions_completed"?: never;
          "actions_failed"?: never;
          "actions_total"?: never;
          "automation_id"?: never;
          "automation_version"?: never;
          "completed_at"?: string | null;
          "created_at"?: string | null;
          "duration_ms"?: never;
          "error"?: Json | null;
          "id"?: string | null;
          "parent_run_id"?: string | null;
          "retry_count"?: never;
          "started_at"?: string | null;
          "status"?: never;
          "tenant_id"?: string | null;
          "trigger_data"?: never;
          "triggered_by"?: never;
        };
        Update: {
          "action_results"?: never;
          "actions_completed"?: never;
          "actions_failed"?: never;
          "actions_total"?: never;
          "automation_id"?: never;
          "automation_version"?: never;
          "completed_at"?: string | null;
          "created_at"?: string | null;
          "duration_ms"?: never;
          "error"?: Json | null;
          "id"?: string | null;
          "parent_run_id"?: string | null;
          "retry_count"?: never;
          "started_at"?: string | null;
          "status"?: never;
          "tenant_id"?: string | null;
          "trigger_data"?: never;
          "triggered_by"?: never;
        };
        Relationships: [
          {
            foreignKeyName: "runs_parent_run_id_fkey";
            columns: ["parent_run_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_parent_run_id_fkey";
            columns: ["parent_run_id"];
            isOneToOne: false;
            referencedRelation: "automation_runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_parent_run_id_fkey";
            columns: ["parent_run_id"];
            isOneToOne: false;
            referencedRelation: "runs";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "runs_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
    };
    Functions: {
      "memory_search": {
        Args: {
          "filters"?: Json;
          "match_count"?: number;
          "options"?: Json;
          "query_embedding"?: string;
          "query_text": string;
        };
        Returns: {
          "agent_id": string;
          "asset_id": string;
          "chunk_index": number;
          "cold": boolean;
          "content": string;
          "health": number;
          "id": string;
          "memory_type": string;
          "metadata": Json;
          "relevance": number;
          "score": number;
          "similarity": number;
          "source_created_at": string;
          "source_id": string;
          "source_type": string;
          "strategy": string;
          "text_rank": number;
          "title": string;
          "vector_rank": number;
        }[];
      };
    };
    Enums: {
      [_ in never]: never;
    };
    CompositeTypes: {
      [_ in never]: never;
    };
  };
};

type DatabaseWithoutInternals = Omit<Database, "__InternalSupabase">;

type DefaultSchema = DatabaseWithoutInternals[Extract<keyof Database, "public">];

export type Tables<
  DefaultSchemaTableNameOrOptions extends
    | keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof (
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
    )
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals } ? (
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Views"]
  )[TableName] extends {
    Row: infer R;
  } ? R
  : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[DefaultSchemaTableNameOrOptions] extends {
      Row: infer R;
    } ? R
    : never
  : never;

export type TablesInsert<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends
    {
      Insert: infer I;
    } ? I
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Insert: infer I;
    } ? I
    : never
  : never;

export type TablesUpdate<
  DefaultSchemaTableNameOrOptions extends
    | keyof DefaultSchema["Tables"]
    | { schema: keyof DatabaseWithoutInternals },
  TableName extends DefaultSchemaTableNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]]["Tables"][TableName] extends
    {
      Update: infer U;
    } ? U
  : never
  : DefaultSchemaTableNameOrOptions extends keyof DefaultSchema["Tables"]
    ? DefaultSchema["Tables"][DefaultSchemaTableNameOrOptions] extends {
      Update: infer U;
    } ? U
    : never
  : never;

export type Enums<
  DefaultSchemaEnumNameOrOptions extends
    | keyof DefaultSchema["Enums"]
    | { schema: keyof DatabaseWithoutInternals },
  EnumName extends DefaultSchemaEnumNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"]
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][EnumName]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never;

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"]
    : never = never,
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]]["CompositeTypes"][
    CompositeTypeName
  ]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never;

export const Constants = {
  "app": {
    Enums: {},
  },
  "public": {
    Enums: {},
  },
} as const;
