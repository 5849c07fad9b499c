//! The national clouds: which Graph host, login host and token scope each one uses.

use std::fmt;
use std::str::FromStr;

/// The national cloud, which picks the Graph and login hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CloudEnvironment {
    /// `global`: graph.microsoft.com, login.microsoftonline.com.
    #[default]
    Global,
    /// `usgovernmentl4`: graph.microsoft.us, login.microsoftonline.us.
    UsGovernmentL4,
    /// `usgovernmentl5`: dod-graph.microsoft.us, login.microsoftonline.us.
    UsGovernmentL5,
    /// `china`: microsoftgraph.chinacloudapi.cn, login.chinacloudapi.cn.
    China,
}

/// The hosts and token scope of one national cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CloudEndpoints {
    /// The Graph base URL, without a version segment (`https://graph.microsoft.com`).
    pub graph_endpoint: &'static str,
    /// The Microsoft Entra login host (`https://login.microsoftonline.com`).
    pub authority_host: &'static str,
    /// The OAuth2 scope that asks for a Graph token with the app's granted permissions.
    pub graph_scope: &'static str,
}

impl CloudEnvironment {
    /// Every environment, in the order the documentation lists them.
    pub const ALL: [CloudEnvironment; 4] = [
        CloudEnvironment::Global,
        CloudEnvironment::UsGovernmentL4,
        CloudEnvironment::UsGovernmentL5,
        CloudEnvironment::China,
    ];

    /// The name users write in the `environment` argument and `ARM_ENVIRONMENT`.
    pub fn name(self) -> &'static str {
        match self {
            CloudEnvironment::Global => "global",
            CloudEnvironment::UsGovernmentL4 => "usgovernmentl4",
            CloudEnvironment::UsGovernmentL5 => "usgovernmentl5",
            CloudEnvironment::China => "china",
        }
    }

    /// The Graph host, login host and scope of this cloud.
    pub fn endpoints(self) -> CloudEndpoints {
        match self {
            CloudEnvironment::Global => CloudEndpoints {
                graph_endpoint: "https://graph.microsoft.com",
                authority_host: "https://login.microsoftonline.com",
                graph_scope: "https://graph.microsoft.com/.default",
            },
            CloudEnvironment::UsGovernmentL4 => CloudEndpoints {
                graph_endpoint: "https://graph.microsoft.us",
                authority_host: "https://login.microsoftonline.us",
                graph_scope: "https://graph.microsoft.us/.default",
            },
            CloudEnvironment::UsGovernmentL5 => CloudEndpoints {
                graph_endpoint: "https://dod-graph.microsoft.us",
                authority_host: "https://login.microsoftonline.us",
                graph_scope: "https://dod-graph.microsoft.us/.default",
            },
            CloudEnvironment::China => CloudEndpoints {
                graph_endpoint: "https://microsoftgraph.chinacloudapi.cn",
                authority_host: "https://login.chinacloudapi.cn",
                graph_scope: "https://microsoftgraph.chinacloudapi.cn/.default",
            },
        }
    }
}

impl fmt::Display for CloudEnvironment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The error for an `environment` value that names no known cloud.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown environment {given:?}; expected one of global, usgovernmentl4, usgovernmentl5, china")]
pub struct UnknownEnvironment {
    /// What the user wrote.
    pub given: String,
}

impl FromStr for CloudEnvironment {
    type Err = UnknownEnvironment;

    /// Parses an environment name. Case and surrounding spaces are ignored, because the value often comes from an
    /// environment variable typed by hand.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        CloudEnvironment::ALL
            .into_iter()
            .find(|env| env.name() == wanted)
            .ok_or_else(|| UnknownEnvironment { given: s.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_environment_has_the_documented_hosts() {
        let table: Vec<(&str, &str, &str, &str)> = CloudEnvironment::ALL
            .into_iter()
            .map(|env| {
                let e = env.endpoints();
                (env.name(), e.graph_endpoint, e.authority_host, e.graph_scope)
            })
            .collect();
        assert_eq!(
            table,
            vec![
                (
                    "global",
                    "https://graph.microsoft.com",
                    "https://login.microsoftonline.com",
                    "https://graph.microsoft.com/.default"
                ),
                (
                    "usgovernmentl4",
                    "https://graph.microsoft.us",
                    "https://login.microsoftonline.us",
                    "https://graph.microsoft.us/.default"
                ),
                (
                    "usgovernmentl5",
                    "https://dod-graph.microsoft.us",
                    "https://login.microsoftonline.us",
                    "https://dod-graph.microsoft.us/.default"
                ),
                (
                    "china",
                    "https://microsoftgraph.chinacloudapi.cn",
                    "https://login.chinacloudapi.cn",
                    "https://microsoftgraph.chinacloudapi.cn/.default"
                ),
            ]
        );
    }

    #[test]
    fn names_round_trip_and_ignore_case() {
        for env in CloudEnvironment::ALL {
            assert_eq!(env.name().parse::<CloudEnvironment>(), Ok(env));
            assert_eq!(env.name().to_uppercase().parse::<CloudEnvironment>(), Ok(env));
        }
        assert_eq!(" Global ".parse::<CloudEnvironment>(), Ok(CloudEnvironment::Global));
    }

    #[test]
    fn unknown_names_are_rejected_with_the_valid_list() {
        let err = "public".parse::<CloudEnvironment>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown environment \"public\"; expected one of global, usgovernmentl4, usgovernmentl5, china"
        );
    }
}
