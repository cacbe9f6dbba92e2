export type Json = string | number | boolean | null | {
  [key: string]: Json | undefined;
} | Json[];

export type Database = {
  "public": {
    Tables: {
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
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]][
        "Tables"
      ]
      & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]][
        "Views"
      ]
    )
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals } ? (
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]][
      "Tables"
    ]
    & DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]][
      "Views"
    ]
  )[TableName] extends {
    Row: infer R;
  } ? R
  : never
  : DefaultSchemaTableNameOrOptions extends keyof (DefaultSchema["Tables"] & DefaultSchema["Views"])
    ? (DefaultSchema["Tables"] & DefaultSchema["Views"])[
      DefaultSchemaTableNameOrOptions
    ] extends {
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
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]][
      "Tables"
    ]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]][
    "Tables"
  ][TableName] extends {
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
  } ? keyof DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]][
      "Tables"
    ]
    : never = never,
> = DefaultSchemaTableNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaTableNameOrOptions["schema"]][
    "Tables"
  ][TableName] extends {
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
  } ? keyof DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]][
      "Enums"
    ]
    : never = never,
> = DefaultSchemaEnumNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[DefaultSchemaEnumNameOrOptions["schema"]]["Enums"][
    EnumName
  ]
  : DefaultSchemaEnumNameOrOptions extends keyof DefaultSchema["Enums"]
    ? DefaultSchema["Enums"][DefaultSchemaEnumNameOrOptions]
  : never;

export type CompositeTypes<
  PublicCompositeTypeNameOrOptions extends
    | keyof DefaultSchema["CompositeTypes"]
    | { schema: keyof DatabaseWithoutInternals },
  CompositeTypeName extends PublicCompositeTypeNameOrOptions extends {
    schema: keyof DatabaseWithoutInternals;
  } ? keyof DatabaseWithoutInternals[
      PublicCompositeTypeNameOrOptions["schema"]
    ]["CompositeTypes"]
    : never = never,
> = PublicCompositeTypeNameOrOptions extends { schema: keyof DatabaseWithoutInternals }
  ? DatabaseWithoutInternals[PublicCompositeTypeNameOrOptions["schema"]][
    "CompositeTypes"
  ][CompositeTypeName]
  : PublicCompositeTypeNameOrOptions extends keyof DefaultSchema["CompositeTypes"]
    ? DefaultSchema["CompositeTypes"][PublicCompositeTypeNameOrOptions]
  : never;

export const Constants = {
  "public": {
    Enums: {},
  },
} as const;
