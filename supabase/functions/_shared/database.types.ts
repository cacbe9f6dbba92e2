export type Json = string | number | boolean | null | { [key: string]: Json | undefined } | Json[];

export type Database = {
  "public": {
    Tables: {
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
      "agent_results": {
        Row: {
          "agent_slug": string;
          "citations": NonNullable<Json>;
          "created_at": string;
          "id": string;
          "metrics": NonNullable<Json>;
          "model": string | null;
          "output": NonNullable<Json>;
          "parent_session_id": string | null;
          "provider": string | null;
          "session_id": string;
          "summary": string | null;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_slug": string;
          "citations"?: NonNullable<Json>;
          "created_at"?: string;
          "id"?: string;
          "metrics"?: NonNullable<Json>;
          "model"?: string | null;
          "output": NonNullable<Json>;
          "parent_session_id"?: string | null;
          "provider"?: string | null;
          "session_id": string;
          "summary"?: string | null;
          "tenant_id": string;
        };
        Update: {
          "agent_slug"?: string;
          "citations"?: NonNullable<Json>;
          "created_at"?: string;
          "id"?: string;
          "metrics"?: NonNullable<Json>;
          "model"?: string | null;
          "output"?: NonNullable<Json>;
          "parent_session_id"?: string | null;
          "provider"?: string | null;
          "session_id"?: string;
          "summary"?: string | null;
          "tenant_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "agent_results_session_id_fkey";
            columns: ["session_id"];
            isOneToOne: true;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_results_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "agent_runs": {
        Row: {
          "agent_slug": string;
          "attempt": number;
          "completion_tokens": number;
          "cost_usd": number;
          "created_at": string;
          "duration_ms": number;
          "error": string | null;
          "id": string;
          "input": NonNullable<Json>;
          "kind": string;
          "model": string | null;
          "output": Json | null;
          "prompt_tokens": number;
          "provider": string | null;
          "seq": number;
          "session_id": string;
          "status": string;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "agent_slug": string;
          "attempt": number;
          "completion_tokens"?: number;
          "cost_usd"?: number;
          "created_at"?: string;
          "duration_ms"?: number;
          "error"?: string | null;
          "id"?: string;
          "input"?: NonNullable<Json>;
          "kind": string;
          "model"?: string | null;
          "output"?: Json | null;
          "prompt_tokens"?: number;
          "provider"?: string | null;
          "seq": number;
          "session_id": string;
          "status"?: string;
          "tenant_id": string;
        };
        Update: {
          "agent_slug"?: string;
          "attempt"?: number;
          "completion_tokens"?: number;
          "cost_usd"?: number;
          "created_at"?: string;
          "duration_ms"?: number;
          "error"?: string | null;
          "id"?: string;
          "input"?: NonNullable<Json>;
          "kind"?: string;
          "model"?: string | null;
          "output"?: Json | null;
          "prompt_tokens"?: number;
          "provider"?: string | null;
          "seq"?: number;
          "session_id"?: string;
          "status"?: string;
          "tenant_id"?: string;
        };
        Relationships: [
          {
            foreignKeyName: "agent_runs_session_id_fkey";
            columns: ["session_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_runs_tenant_id_fkey";
            columns: ["tenant_id"];
            isOneToOne: false;
            referencedRelation: "tenants";
            referencedColumns: ["id"];
          },
        ];
      };
      "agent_sessions": {
        Row: {
          "agent_id": string | null;
          "agent_slug": string;
          "aggregate_enqueued_at": string | null;
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
          "error": Json | null;
          "escalated_at": string | null;
          "heartbeat_at": string | null;
          "id": string;
          "idempotency_key": string | null;
          "input": NonNullable<Json>;
          "kind": string;
          "max_attempts": number;
          "mode": string;
          "parent_session_id": string | null;
          "priority": number;
          "queue_msg_id": number | null;
          "queued_at": string | null;
          "result": Json | null;
          "root_session_id": string | null;
          "started_at": string | null;
          "status": string;
          "task_id": string | null;
          "tenant_id": string;
          "timed_out": boolean;
          "updated_at": string;
          "user_id": string | null;
          "worker_id": string | null;
        };
        ComputedFields: never;
        Insert: {
          "agent_id"?: string | null;
          "agent_slug": string;
          "aggregate_enqueued_at"?: string | null;
          "api_key_id"?: string | null;
          "attempts"?: number;
          "completed_at"?: string | null;
          "concurrency_key"?: string | null;
          "concurrency_limit"?: number | null;
          "coordination"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "deadline_at"?: string | null;
          "depth"?: number;
          "error"?: Json | null;
          "escalated_at"?: string | null;
          "heartbeat_at"?: string | null;
          "id"?: string;
          "idempotency_key"?: string | null;
          "input"?: NonNullable<Json>;
          "kind"?: string;
          "max_attempts"?: number;
          "mode"?: string;
          "parent_session_id"?: string | null;
          "priority"?: number;
          "queue_msg_id"?: number | null;
          "queued_at"?: string | null;
          "result"?: Json | null;
          "root_session_id"?: string | null;
          "started_at"?: string | null;
          "status"?: string;
          "task_id"?: string | null;
          "tenant_id": string;
          "timed_out"?: boolean;
          "updated_at"?: string;
          "user_id"?: string | null;
          "worker_id"?: string | null;
        };
        Update: {
          "agent_id"?: string | null;
          "agent_slug"?: string;
          "aggregate_enqueued_at"?: string | null;
          "api_key_id"?: string | null;
          "attempts"?: number;
          "completed_at"?: string | null;
          "concurrency_key"?: string | null;
          "concurrency_limit"?: number | null;
          "coordination"?: string | null;
          "created_at"?: string;
          "created_by"?: string | null;
          "deadline_at"?: string | null;
          "depth"?: number;
          "error"?: Json | null;
          "escalated_at"?: string | null;
          "heartbeat_at"?: string | null;
          "id"?: string;
          "idempotency_key"?: string | null;
          "input"?: NonNullable<Json>;
          "kind"?: string;
          "max_attempts"?: number;
          "mode"?: string;
          "parent_session_id"?: string | null;
          "priority"?: number;
          "queue_msg_id"?: number | null;
          "queued_at"?: string | null;
          "result"?: Json | null;
          "root_session_id"?: string | null;
          "started_at"?: string | null;
          "status"?: string;
          "task_id"?: string | null;
          "tenant_id"?: string;
          "timed_out"?: boolean;
          "updated_at"?: string;
          "user_id"?: string | null;
          "worker_id"?: string | null;
        };
        Relationships: [
          {
            foreignKeyName: "agent_sessions_agent_id_fkey";
            columns: ["agent_id"];
            isOneToOne: false;
            referencedRelation: "agents";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_sessions_parent_session_id_fkey";
            columns: ["parent_session_id"];
            isOneToOne: false;
            referencedRelation: "agent_sessions";
            referencedColumns: ["id"];
          },
          {
            foreignKeyName: "agent_sessions_tenant_id_fkey";
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
          "created_at": string;
          "event_source": string;
          "event_type": string;
          "expires_at": string;
          "id": string;
          "matched_automations": (string)[] | null;
          "payload": NonNullable<Json>;
          "processed": boolean;
          "processed_at": string | null;
          "processing_error": string | null;
          "tenant_id": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "event_source"?: string;
          "event_type": string;
          "expires_at"?: string;
          "id"?: string;
          "matched_automations"?: (string)[] | null;
          "payload"?: NonNullable<Json>;
          "processed"?: boolean;
          "processed_at"?: string | null;
          "processing_error"?: string | null;
          "tenant_id": string;
        };
        Update: {
          "created_at"?: string;
          "event_source"?: string;
          "event_type"?: string;
          "expires_at"?: string;
          "id"?: string;
          "matched_automations"?: (string)[] | null;
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
          "name": string;
          "settings": NonNullable<Json>;
          "slug": string;
          "updated_at": string;
        };
        ComputedFields: never;
        Insert: {
          "created_at"?: string;
          "id"?: string;
          "name": string;
          "settings"?: NonNullable<Json>;
          "slug": string;
          "updated_at"?: string;
        };
        Update: {
          "created_at"?: string;
          "id"?: string;
          "name"?: string;
          "settings"?: NonNullable<Json>;
          "slug"?: string;
          "updated_at"?: string;
        };
        Relationships: [];
      };
      "usage_events": {
        Row: {
          "agent_run_id": string | null;
          "completion_tokens": number;
          "cost_usd": number;
          "created_at": string;
          "id": string;
          "kind": string;
          "metadata": NonNullable<Json>;
          "model": string | null;
          "prompt_tokens": number;
          "provider": string | null;
          "session_id": string | null;
          "tenant_id": string;
          "units": number;
        };
        ComputedFields: never;
        Insert: {
          "agent_run_id"?: string | null;
          "completion_tokens"?: number;
          "cost_usd"?: number;
          "created_at"?: string;
          "id"?: string;
          "kind": string;
          "metadata"?: NonNullable<Json>;
          "model"?: string | null;
          "prompt_tokens"?: number;
          "provider"?: string | null;
          "session_id"?: string | null;
          "tenant_id": string;
          "units"?: number;
        };
        Update: {
          "agent_run_id"?: string | null;
          "completion_tokens"?: number;
          "cost_usd"?: number;
          "created_at"?: string;
          "id"?: string;
          "kind"?: string;
          "metadata"?: NonNullable<Json>;
          "model"?: string | null;
          "prompt_tokens"?: number;
          "provider"?: string | null;
          "session_id"?: string | null;
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
    };
    Views: {
      [_ in never]: never;
    };
    Functions: {
      [_ in never]: never;
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
  "public": {
    Enums: {},
  },
} as const;
