//! The servers the spec lists, and the functions that fill in their
//! variables.

use super::Context;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPlan {
    /// The URL template, `{variables}` and all.
    pub url: String,
    pub description: Option<String>,
    pub variables: Vec<VariablePlan>,
    /// The function filling in the variables (`server_url`), when there
    /// are any.
    pub function: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariablePlan {
    /// Its name in the template.
    pub name: String,
    /// The function's argument for it.
    pub argument: String,
    pub default: String,
    pub description: Option<String>,
}

impl Context<'_> {
    pub(super) fn servers(&self) -> Vec<ServerPlan> {
        self.api
            .servers
            .iter()
            .zip(&self.names.server_fns)
            .map(|(server, function)| {
                // Servers with variables, and only they, have a function.
                let arguments = function
                    .as_ref()
                    .map(|(_, args)| args.as_slice())
                    .unwrap_or(&[]);
                ServerPlan {
                    url: server.url.clone(),
                    description: server.description.clone(),
                    variables: server
                        .variables
                        .iter()
                        .zip(arguments)
                        .map(|(v, argument)| VariablePlan {
                            name: v.name.clone(),
                            argument: argument.clone(),
                            default: v.default.clone(),
                            description: v.description.clone(),
                        })
                        .collect(),
                    function: function.as_ref().map(|(name, _)| name.clone()),
                }
            })
            .collect()
    }
}
